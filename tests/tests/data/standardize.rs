//! Standardisation: statistics of the rows it was fitted on, finite for extreme values.

use super::*;

#[test]
fn standardisation_uses_the_rows_it_was_fitted_on() {
    let ds = Dataset::<f64, 2>::load(file("std.csv", "a,b,label\n1,5,0\n3,5,0\n8,5,1\n")).unwrap();
    let scaler = Standardizer::fit(&ds).unwrap();
    let mean = 4.0;
    let sd = ((9.0 + 1.0 + 16.0) / 3.0f64).sqrt();
    assert_eq!(scaler.mean, SVector::<f64, 2>::new(mean, 5.0));
    approx::assert_relative_eq!(scaler.scale[0], sd, max_relative = 1e-15);
    assert_eq!(scaler.scale[1], 1.0, "a constant column keeps scale 1");
    let z = scaler.transform(&SVector::<f64, 2>::new(8.0, 5.0));
    approx::assert_relative_eq!(z[0], 4.0 / sd, max_relative = 1e-15);
    assert_eq!(z[1], 0.0);
}

/// Issue 14, defect 4: the f64 rows `1e308` and `1e308` made the mean and scale infinite and
/// the standardised values NaN. Every column of finite data, however large, gives a finite
/// mean, a finite positive scale and finite standardised rows; ordinary data is unchanged
/// bit for bit (the statistics are taken over exactly scaled values).
#[test]
fn standardisation_of_extreme_values_is_finite() {
    let huge = Dataset::<f64, 1>::parse("x.csv", "a,y\n1e308,0\n1e308,0\n").unwrap();
    let scaler = Standardizer::fit(&huge).unwrap();
    assert_eq!(scaler.mean[0], 1e308);
    assert_eq!(scaler.scale[0], 1.0, "a constant column keeps scale 1");
    assert!(scaler.apply(&huge).iter().all(|z| z[0] == 0.0));

    let columns = [
        "1.7976931348623157e308,-1.7976931348623157e308,1e308,0",
        "1.7976931348623157e308,1.7976931348623157e308,1.7976931348623157e308,-1.7976931348623157e308",
        "5e-324,-5e-324,0,1e-320",
        "1e308,1e-308,-1e308,3",
    ];
    for column in columns {
        let text = format!("a,y\n{}\n", column.replace(',', ",0\n") + ",0");
        let ds = Dataset::<f64, 1>::parse("x.csv", &text).unwrap();
        let scaler = Standardizer::fit(&ds).unwrap();
        assert!(
            scaler.mean[0].is_finite() && scaler.scale[0].is_finite(),
            "{column}"
        );
        assert!(scaler.scale[0] > 0.0, "{column}");
        for z in scaler.apply(&ds) {
            assert!(z[0].is_finite(), "{column}: {z}");
            // |x - mean| / sd <= sqrt(n - 1) for the rows fitted on (Samuelson).
            assert!(z[0].abs() <= 3f64.sqrt() * (1.0 + 1e-12), "{column}: {z}");
        }
    }
    let f32_text = "a,y\n3.4e38,0\n-3.4e38,0\n3.4e38,0\n3.4e38,0\n";
    let ds = Dataset::<f32, 1>::parse("x.csv", f32_text).unwrap();
    let scaler = Standardizer::fit(&ds).unwrap();
    assert!(scaler.apply(&ds).iter().all(|z| z[0].is_finite()));

    // Ordinary data: bit for bit the textbook formulas.
    let ds = Dataset::<f64, 1>::parse("x.csv", "a,y\n0.1,0\n0.7,0\n3.3,0\n-2.9,0\n").unwrap();
    let xs = [0.1f64, 0.7, 3.3, -2.9];
    let mean = xs.iter().sum::<f64>() / 4.0;
    let sd = (xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / 4.0).sqrt();
    let scaler = Standardizer::fit(&ds).unwrap();
    assert_eq!((scaler.mean[0], scaler.scale[0]), (mean, sd));
}
