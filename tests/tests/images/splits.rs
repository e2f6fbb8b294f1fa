//! Seeded, disjoint, stratified splits and split files.

use super::*;

#[test]
fn random_splits_are_seeded_disjoint_and_stratified() {
    let root = scratch("split");
    for class in ["a", "b"] {
        for i in 0..10 {
            save(
                &solid(2, 2, [0, 0, 0]),
                &root.join(format!("{class}/{i:02}.png")),
            );
        }
    }
    let folder = ImageFolder::open(&root, ImageConfig::new(1, 2, 2)).unwrap();
    let (train, val) = folder.split(0.3, 4).unwrap();
    assert_eq!((train.len(), val.len()), (14, 6));
    assert_eq!(val.samples().iter().filter(|s| s.1 == 0).count(), 3);
    let mut all: Vec<_> = train
        .samples()
        .iter()
        .chain(val.samples())
        .cloned()
        .collect();
    all.sort();
    assert_eq!(all, folder.samples());
    assert_eq!(folder.split(0.3, 4).unwrap().1.samples(), val.samples());
    assert_ne!(folder.split(0.3, 5).unwrap().1.samples(), val.samples());
    assert!(folder.split(1.5, 4).is_err());

    let list = root.join("split.csv");
    let mut text = String::from("# image,part\n");
    for (i, (path, _)) in folder.samples().iter().enumerate() {
        let rel = path.strip_prefix(&root).unwrap().to_str().unwrap();
        text += &format!(
            "{rel},{}\n",
            if i % 4 == 0 { "validation" } else { "train" }
        );
    }
    std::fs::write(&list, &text).unwrap();
    let (train, val) = folder.split_file(&list).unwrap();
    assert_eq!((train.len(), val.len()), (15, 5));
    for (bad, needle) in [
        (
            text.replace("a/03.png,train", "a/03.png,test"),
            ":5: unknown part `test`",
        ),
        (
            text.replace("a/03.png,train", "a/99.png,train"),
            ":5: no image `a/99.png`",
        ),
        (
            text.replace("a/03.png,train", "a/03.png train"),
            ":5: expected",
        ),
        (text.replace("a/03.png,train\n", ""), "03.png is not listed"),
        (
            text.replace("a/03.png,train", "a/02.png,train"),
            ":5: `a/02.png` listed twice",
        ),
    ] {
        std::fs::write(&list, &bad).unwrap();
        let err = folder.split_file(&list).unwrap_err().to_string();
        assert!(
            err.contains(needle) && err.contains("split.csv"),
            "{err} lacks {needle}"
        );
    }
}
