//! CSV loading, splits, one-hot labels and standardisation: every bad input gets its own
//! error naming the file, line and column; the real data sets load as documented.

use dl_core::data::{one_hot, DataError, Dataset, Standardizer};
use dl_core::nalgebra::SVector;
use std::path::{Path, PathBuf};

fn examples_data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples/data")
        .join(name)
}

/// Writes `text` to a fresh file in the temp directory (unique per test) and returns its path.
fn file(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dl-data-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

const GOOD: &str = "a,b,label\n1,2.5,0\n-3,4e-2,2\n\n0.5,6,1\n";

#[test]
fn a_good_file_loads_in_order() {
    let path = file("good.csv", GOOD);
    let ds = Dataset::<f64, 2>::load(&path).unwrap();
    assert_eq!(ds.len(), 3);
    assert_eq!(ds.path(), path);
    let s = ds.samples();
    assert_eq!(s[0].features, SVector::<f64, 2>::new(1.0, 2.5));
    assert_eq!((s[1].label, s[1].line), (2.0, 3));
    assert_eq!(s[2].features, SVector::<f64, 2>::new(0.5, 6.0));
    assert_eq!(
        s[2].line, 5,
        "the blank line 4 is skipped but still counted"
    );
    assert_eq!(ds.classes(3).unwrap(), [0, 2, 1]);
    let targets = ds.one_hot::<3>().unwrap();
    assert_eq!(targets[1], SVector::<f64, 3>::new(0.0, 0.0, 1.0));
    assert_eq!(ds.values()[1], SVector::<f64, 1>::new(2.0));
}

#[test]
fn a_missing_file() {
    let path = std::env::temp_dir().join("dl-data-test-no-such-file.csv");
    let err = Dataset::<f32, 2>::load(&path).unwrap_err();
    assert_eq!(err, DataError::Missing { path: path.clone() });
    assert!(err.to_string().contains("no such file"));
}

#[test]
fn an_empty_file_and_a_header_only_file() {
    for (name, text) in [
        ("empty.csv", ""),
        ("header.csv", "a,b,label\n"),
        ("blank.csv", "\n\n"),
    ] {
        let path = file(name, text);
        assert_eq!(
            Dataset::<f32, 2>::load(&path).unwrap_err(),
            DataError::Empty { path },
            "{name}"
        );
    }
}

#[test]
fn the_wrong_number_of_columns() {
    let path = file("columns.csv", "a,b,label\n1,2,0\n1,2,3,0\n");
    let err = Dataset::<f32, 2>::load(&path).unwrap_err();
    assert_eq!(
        err,
        DataError::Columns {
            path: path.clone(),
            line: 3,
            expected: 3,
            found: 4
        }
    );
    assert!(
        err.to_string()
            .ends_with("columns.csv:3: expected 3 columns, found 4"),
        "{err}"
    );
    // The header counts too: a file for 4 features read as 2.
    let err = Dataset::<f32, 4>::load(&path).unwrap_err();
    assert_eq!(
        err,
        DataError::Columns {
            path,
            line: 1,
            expected: 5,
            found: 3
        }
    );
}

#[test]
fn a_value_that_is_not_a_number() {
    let path = file("nan-text.csv", "a,b,label\n1,2,0\n1,two,1\n");
    let err = Dataset::<f32, 2>::load(&path).unwrap_err();
    assert_eq!(
        err,
        DataError::NotANumber {
            path,
            line: 3,
            column: 2,
            value: "two".into()
        }
    );
    assert!(
        err.to_string()
            .ends_with("nan-text.csv:3:2: `two` is not a number"),
        "{err}"
    );
    // An empty field is not a number either; nor is a label.
    let path = file("empty-field.csv", "a,b,label\n1,,0\n");
    assert!(matches!(
        Dataset::<f32, 2>::load(&path).unwrap_err(),
        DataError::NotANumber {
            line: 2,
            column: 2,
            ..
        }
    ));
    let path = file("label-text.csv", "a,b,label\n1,2,cat\n");
    assert!(matches!(
        Dataset::<f32, 2>::load(&path).unwrap_err(),
        DataError::NotANumber {
            line: 2,
            column: 3,
            ..
        }
    ));
}

#[test]
fn non_finite_values() {
    for (i, bad) in ["nan", "inf", "-inf", "NaN", "1e999"]
        .into_iter()
        .enumerate()
    {
        let path = file(
            &format!("nonfinite{i}.csv"),
            &format!("a,b,label\n1,2,0\n{bad},2,1\n"),
        );
        assert_eq!(
            Dataset::<f64, 2>::load(&path).unwrap_err(),
            DataError::NonFinite {
                path,
                line: 3,
                column: 1,
                value: bad.into()
            }
        );
    }
}

#[test]
fn labels_out_of_range() {
    let path = file("labels.csv", "a,label\n1,0\n2,3\n3,1\n");
    let ds = Dataset::<f32, 1>::load(&path).unwrap();
    let err = ds.one_hot::<3>().unwrap_err();
    assert_eq!(
        err,
        DataError::LabelOutOfRange {
            path: path.clone(),
            line: 3,
            column: 2,
            label: 3.0,
            classes: 3
        }
    );
    assert!(err
        .to_string()
        .ends_with("labels.csv:3:2: label 3 is not a class index in 0..3"));
    assert!(ds.one_hot::<4>().is_ok());
    // Binary targets need labels 0 or 1; negative and fractional labels are no classes.
    assert!(matches!(
        ds.binary().unwrap_err(),
        DataError::LabelOutOfRange {
            line: 3,
            classes: 2,
            ..
        }
    ));
    let path = file("labels2.csv", "a,label\n1,-1\n");
    let ds = Dataset::<f32, 1>::load(&path).unwrap();
    assert!(matches!(
        ds.one_hot::<3>().unwrap_err(),
        DataError::LabelOutOfRange { line: 2, .. }
    ));
    let path = file("labels3.csv", "a,label\n1,0\n1,1.5\n");
    let ds = Dataset::<f32, 1>::load(&path).unwrap();
    assert!(matches!(
        ds.classes(3).unwrap_err(),
        DataError::LabelOutOfRange { line: 3, .. }
    ));
    assert_eq!(one_hot::<f32, 3>(3), None);
    assert_eq!(
        one_hot::<f32, 3>(1),
        Some(SVector::<f32, 3>::new(0.0, 1.0, 0.0))
    );
}

#[test]
fn split_files_and_their_errors() {
    let data = Dataset::<f64, 2>::load(file("split-data.csv", GOOD)).unwrap();
    let good = file("good_split.csv", "row,split\n2,train\n0,train\n1,test\n");
    let split = data.split(&good).unwrap();
    let labels = |d: &Dataset<f64, 2>| d.samples().iter().map(|s| s.label).collect::<Vec<_>>();
    assert_eq!(labels(&split.train), [1.0, 0.0]);
    assert_eq!(labels(&split.test), [2.0]);

    type Case = (&'static str, &'static str, fn(&DataError) -> bool);
    let cases: [Case; 7] = [
        (
            "row,split\n0,train\n5,test\n",
            "row 5 does not exist (the data has 3 rows)",
            |e| {
                matches!(
                    e,
                    DataError::RowOutOfRange {
                        line: 3,
                        row: 5,
                        rows: 3,
                        ..
                    }
                )
            },
        ),
        (
            "row,split\n0,train\n0,test\n",
            "row 0 is assigned a second time",
            |e| {
                matches!(
                    e,
                    DataError::DuplicateRow {
                        line: 3,
                        row: 0,
                        ..
                    }
                )
            },
        ),
        (
            "row,split\n0,train\n1,validate\n2,test\n",
            "split `validate` is neither",
            |e| matches!(e, DataError::UnknownSplit { line: 3, .. }),
        ),
        ("row,split\n-1,train\n", "`-1` is not a row index", |e| {
            matches!(e, DataError::NotARowIndex { line: 2, .. })
        }),
        (
            "row,split\n0,train\n1,test\n",
            "assigns 2 of the 3 data rows",
            |e| {
                matches!(
                    e,
                    DataError::SplitIncomplete {
                        rows: 3,
                        assigned: 2,
                        ..
                    }
                )
            },
        ),
        (
            "row,split\n0,train,extra\n",
            "expected 2 columns, found 3",
            |e| {
                matches!(
                    e,
                    DataError::Columns {
                        line: 2,
                        expected: 2,
                        found: 3,
                        ..
                    }
                )
            },
        ),
        ("row,split\n", "has no data rows", |e| {
            matches!(e, DataError::Empty { .. })
        }),
    ];
    for (i, (text, message, check)) in cases.into_iter().enumerate() {
        let path = file(&format!("bad_split{i}.csv"), text);
        let err = data.split(&path).unwrap_err();
        assert!(check(&err), "case {i}: {err:?}");
        assert!(err.to_string().contains(message), "case {i}: {err}");
        assert!(
            err.to_string().contains(&format!("bad_split{i}.csv")),
            "{err}"
        );
    }
    let missing = examples_data("no_such_split.csv");
    assert_eq!(
        data.split(&missing).unwrap_err(),
        DataError::Missing { path: missing }
    );
}

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

#[test]
fn the_real_data_sets_load_with_their_fixed_splits() {
    let iris = Dataset::<f32, 4>::load(examples_data("iris.csv")).unwrap();
    let split = iris.split(examples_data("iris_split.csv")).unwrap();
    assert_eq!((split.train.len(), split.test.len()), (120, 30));
    let mut counts = [0; 3];
    for c in split.test.classes(3).unwrap() {
        counts[c] += 1;
    }
    assert_eq!(counts, [10, 10, 10]);

    // Standardised with train statistics: train columns have mean 0 and deviation 1.
    let scaler = Standardizer::fit(&split.train).unwrap();
    let train = scaler.apply(&split.train);
    for j in 0..4 {
        let m = train.iter().map(|x| x[j] as f64).sum::<f64>() / 120.0;
        let v = train.iter().map(|x| (x[j] as f64 - m).powi(2)).sum::<f64>() / 120.0;
        assert!(
            m.abs() < 1e-6 && (v - 1.0).abs() < 1e-5,
            "column {j}: {m} {v}"
        );
    }

    let digits = Dataset::<f32, 64>::load(examples_data("digits.csv")).unwrap();
    let split = digits.split(examples_data("digits_split.csv")).unwrap();
    assert_eq!((split.train.len(), split.test.len()), (1437, 360));
    assert!(split.train.one_hot::<10>().is_ok());
    let cancer = Dataset::<f64, 30>::load(examples_data("breast_cancer.csv")).unwrap();
    let split = cancer
        .split(examples_data("breast_cancer_split.csv"))
        .unwrap();
    assert_eq!((split.train.len(), split.test.len()), (455, 114));
    let benign = split
        .test
        .binary()
        .unwrap()
        .iter()
        .filter(|y| y[0] == 1.0)
        .count();
    assert_eq!(benign, 72);
    let diabetes = Dataset::<f64, 10>::load(examples_data("diabetes.csv")).unwrap();
    let split = diabetes.split(examples_data("diabetes_split.csv")).unwrap();
    assert_eq!((split.train.len(), split.test.len()), (353, 89));
    assert_eq!(diabetes.samples()[0].label, 151.0);
}

/// Lines are checked in order: the first bad line is reported, whatever its fault.
#[test]
fn the_first_bad_line_is_the_one_reported() {
    let path = file("order.csv", "a,b,label\n1,x,0\n1,2,3,4\n");
    assert!(matches!(
        Dataset::<f32, 2>::load(&path).unwrap_err(),
        DataError::NotANumber {
            line: 2,
            column: 2,
            ..
        }
    ));
    let path = file("order2.csv", "a,b,label\n1,2\n1,x,0\n");
    assert!(matches!(
        Dataset::<f32, 2>::load(&path).unwrap_err(),
        DataError::Columns {
            line: 2,
            found: 2,
            ..
        }
    ));
}

/// Issue 14, defect 3: `1e39` is a finite f64 but an infinite f32; an `f32` data set refused
/// it only after the cast (it did not: the features held `inf`). Features and labels alike.
#[test]
fn values_too_large_for_the_scalar_type() {
    let err = Dataset::<f32, 2>::parse("x.csv", "a,b,y\n1e39,2,0\n").unwrap_err();
    assert_eq!(
        err,
        DataError::OutOfRange {
            path: "x.csv".into(),
            line: 2,
            column: 1,
            value: "1e39".into(),
            scalar: "f32"
        }
    );
    assert_eq!(err.to_string(), "x.csv:2:1: `1e39` is too large for f32");
    let err = Dataset::<f32, 2>::parse("x.csv", "a,b,y\n1,2,0\n1,-4e38,0\n").unwrap_err();
    assert!(
        matches!(
            err,
            DataError::OutOfRange {
                line: 3,
                column: 2,
                ..
            }
        ),
        "{err}"
    );
    let err = Dataset::<f32, 1>::parse("x.csv", "a,y\n1,3.5e38\n").unwrap_err();
    assert!(
        matches!(err, DataError::OutOfRange { column: 2, .. }),
        "{err}"
    );
    // The largest f32 values load, and f64 data sets take the same file.
    let ds = Dataset::<f32, 2>::parse("x.csv", "a,b,y\n3.4e38,-3.4e38,0\n").unwrap();
    assert!(ds.samples()[0].features.iter().all(|v| v.is_finite()));
    let ds = Dataset::<f64, 2>::parse("x.csv", "a,b,y\n1e39,2,0\n").unwrap();
    assert_eq!(ds.samples()[0].features[0], 1e39);
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

/// Issue 14, defect 9: `Dataset::load` read whole files with no limit (`/dev/zero` ran until
/// memory was gone). A file past the limit is refused after reading at most the limit.
#[test]
fn files_past_the_size_limit_are_refused() {
    let path = file("limit.csv", GOOD);
    let size = GOOD.len() as u64;
    assert!(Dataset::<f64, 2>::load_limited(&path, size).is_ok());
    assert_eq!(
        Dataset::<f64, 2>::load_limited(&path, size - 1).unwrap_err(),
        DataError::TooLarge {
            path: path.clone(),
            limit: size - 1
        }
    );
    assert_eq!(dl_core::data::DEFAULT_MAX_BYTES, 1 << 30);
    if Path::new("/dev/zero").exists() {
        let start = std::time::Instant::now();
        let err = Dataset::<f64, 2>::load_limited("/dev/zero", 1 << 20).unwrap_err();
        assert_eq!(
            err,
            DataError::TooLarge {
                path: "/dev/zero".into(),
                limit: 1 << 20
            }
        );
        assert!(err
            .to_string()
            .contains("larger than the limit of 1048576 bytes"));
        assert!(start.elapsed().as_secs() < 10);
    }
    // Not UTF-8: an I/O error naming the file, not a panic.
    let path = file("binary.csv", "");
    std::fs::write(&path, [0xff, 0xfe, b'\n']).unwrap();
    assert!(matches!(
        Dataset::<f64, 2>::load(&path).unwrap_err(),
        DataError::Io { .. }
    ));
}
