//! Online detectors on seeded synthetic streams with known changes.

use seismo_stats::online::{Adwin, Cusum, Ewma, OnlineDetector, PageHinkley, Signal};
use seismo_stats::random::SplitMix64;

/// Bell-shaped noise (sum of four uniforms, σ = 1 after scaling) plus a level per segment.
fn stream(seed: u64, segments: &[(usize, f64)]) -> Vec<f64> {
    let mut rng = SplitMix64::new(seed);
    let mut u = move || rng.uniform();
    let scale = 3f64.sqrt(); // Var(u₁+…+u₄ − 2) = 1/3
    segments
        .iter()
        .flat_map(|&(n, level)| {
            (0..n)
                .map(|_| level + scale * (u() + u() + u() + u() - 2.0))
                .collect::<Vec<_>>()
        })
        .collect()
}

fn alarms(detector: &mut OnlineDetector, values: &[f64]) -> Vec<(usize, Signal)> {
    values
        .iter()
        .enumerate()
        .filter_map(|(t, &x)| Some((t, detector.update(x))).filter(|(_, s)| s.is_change()))
        .collect()
}

fn detectors() -> Vec<(&'static str, OnlineDetector)> {
    vec![
        (
            "page_hinkley",
            OnlineDetector::PageHinkley(PageHinkley::new(0.25, 25.0)),
        ),
        (
            "cusum",
            OnlineDetector::Cusum(Cusum::new(0.0, 1.0, 0.5, 5.0)),
        ),
        ("ewma", OnlineDetector::Ewma(Ewma::new(0.0, 1.0, 0.2, 3.0))),
        ("adwin", OnlineDetector::Adwin(Adwin::new(0.002))),
    ]
}

#[test]
fn a_one_sigma_shift_is_found_soon_after_it_happens() {
    for seed in 1..=5 {
        let values = stream(seed, &[(3000, 0.0), (3000, 1.0)]);
        for (name, mut detector) in detectors() {
            let found = alarms(&mut detector, &values);
            let first_after = found
                .iter()
                .find(|(t, _)| *t >= 3000)
                .map(|(t, _)| t - 3000);
            let bound = if name == "adwin" { 400 } else { 60 };
            assert!(
                first_after.is_some_and(|d| d < bound),
                "{name} seed {seed}: {found:?}"
            );
            if name != "adwin" {
                assert!(
                    found.iter().any(|(t, s)| *t >= 3000 && *s == Signal::Up),
                    "{name}: direction"
                );
            }
        }
    }
}

#[test]
fn stationary_streams_raise_few_alarms() {
    let values = stream(42, &[(200_000, 0.0)]);
    for (name, mut detector) in detectors() {
        let n = alarms(&mut detector, &values).len();
        let run_length = values.len() as f64 / n.max(1) as f64;
        match name {
            // Textbook in-control average run lengths for normal data: CUSUM k=0.5, h=5
            // about 465; EWMA λ=0.2, L=3 about 562. Lighter tails here only lengthen them.
            "cusum" | "ewma" => assert!(
                run_length > 350.0,
                "{name}: {n} alarms, run length {run_length}"
            ),
            // δ = 0.25σ, threshold 25σ: Siegmund's approximation puts the run length in the
            // millions, so a stray alarm or two in 200,000 values is the most to accept.
            "page_hinkley" => assert!(n <= 2, "{name}: {n} false alarms"),
            // ADWIN bounds the false-alarm probability by δ = 0.002.
            _ => assert_eq!(n, 0, "{name}: {n} false alarms"),
        }
    }
}

#[test]
fn a_detector_resumed_from_its_saved_state_decides_the_same() {
    let values = stream(7, &[(4000, 0.0), (4000, -1.5), (4000, 0.5)]);
    for (name, detector) in detectors() {
        let mut whole = detector.clone();
        let expected = alarms(&mut whole, &values);
        let mut first = detector;
        let mut got = alarms(&mut first, &values[..5000]);
        let saved = serde_json::to_string(&first).unwrap();
        let mut resumed: OnlineDetector = serde_json::from_str(&saved).unwrap();
        assert_eq!(resumed, first, "{name}");
        got.extend(
            alarms(&mut resumed, &values[5000..])
                .into_iter()
                .map(|(t, s)| (t + 5000, s)),
        );
        assert_eq!(got, expected, "{name}");
        assert!(!expected.is_empty(), "{name} found the changes");
    }
}

#[test]
fn nan_is_ignored_and_learning_targets_work() {
    let mut cusum = Cusum::learning(100, 0.5, 5.0);
    let values = stream(3, &[(500, 10.0), (200, 12.0)]);
    let mut found = None;
    for (t, &x) in values.iter().enumerate() {
        assert_eq!(cusum.update(f64::NAN), Signal::Stable);
        if cusum.update(x).is_change() && t >= 500 && found.is_none() {
            found = Some(t);
        }
    }
    assert!(found.is_some_and(|t| t < 530), "{found:?}");
    let mut ewma = Ewma::learning(100, 0.2, 3.0);
    assert!(
        values
            .iter()
            .map(|&x| ewma.update(x))
            .skip(500)
            .any(|s| s == Signal::Up)
    );
}
