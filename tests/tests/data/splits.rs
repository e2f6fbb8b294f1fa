//! Split files and their errors.

use super::*;

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
