use super::tflite::ints;
use super::Agreement;
use serde_json::Value;

fn steps<const O: usize>(case: &Value, key: &str, got: &[i8; O]) -> i64 {
    if case.get(key).is_none() {
        return 0;
    }
    let other = ints::<O>(&case[key]);
    got.iter()
        .zip(&other)
        .map(|(&a, &b)| (a as i64 - b as i64).abs())
        .max()
        .unwrap_or(0)
}

/// Runs `forward` on every case of `fixture` and asserts each output equals LiteRT's.
pub fn check<const I: usize, const O: usize>(
    name: &str,
    fixture: &Value,
    forward: impl Fn(&[i8; I]) -> [i8; O],
) -> Agreement {
    let cases = fixture["cases"].as_array().unwrap();
    assert!(!cases.is_empty(), "{name}: no cases");
    let (mut differ, mut optimized_steps, mut micro_steps) = (0, 0, 0);
    for (k, case) in cases.iter().enumerate() {
        let (x, want) = (ints::<I>(&case["input"]), ints::<O>(&case["output"]));
        let got = forward(&x);
        if got != want {
            differ += 1;
            eprintln!("{name} case {k}: dl {got:?}, LiteRT {want:?}");
        }
        optimized_steps = optimized_steps.max(steps(case, "optimized", &got));
        micro_steps = micro_steps.max(steps(case, "micro", &got));
    }
    assert_eq!(
        differ,
        0,
        "{name}: {differ} of {} cases differ",
        cases.len()
    );
    Agreement {
        cases: cases.len(),
        optimized_steps,
        micro_steps,
    }
}
