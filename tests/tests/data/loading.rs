//! Files that load (in order, the real data sets with their splits), and files refused whole:
//! missing, empty, past the size limit.

use super::*;

#[test]
fn a_good_file_loads_in_order() {
    let path = file("good.csv", GOOD);
    let ds = Dataset::<f64, 2>::load(&path).unwrap();
    assert_eq!(ds.len(), 3);
    assert_eq!(ds.path(), &*path);
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
    assert_eq!(
        err,
        DataError::Missing {
            path: path.to_path_buf()
        }
    );
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
            DataError::Empty {
                path: path.to_path_buf()
            },
            "{name}"
        );
    }
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
            path: path.to_path_buf(),
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
