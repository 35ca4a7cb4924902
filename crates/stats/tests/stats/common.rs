//! Fixture loading shared by the oracle tests, and the replay of the fixture generator of
//! scripts/oracles/stats_scipy.py (keep the two in step).
#![allow(dead_code)]

use serde_json::Value;

pub fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap()
}

struct SplitMix(u64);

impl SplitMix {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / 9_007_199_254_740_992.0
    }
}

/// A sample: an inline list (null = NaN, "inf"/"-inf") or a generator spec.
pub fn sample(v: &Value) -> Vec<f64> {
    if let Some(list) = v.as_array() {
        return list
            .iter()
            .map(|x| match x {
                Value::Null => f64::NAN,
                Value::String(s) if s == "inf" => f64::INFINITY,
                Value::String(s) if s == "-inf" => f64::NEG_INFINITY,
                other => other.as_f64().unwrap(),
            })
            .collect();
    }
    if let Some(parts) = v.get("concat").and_then(|p| p.as_array()) {
        let mut out: Vec<f64> = parts.iter().flat_map(sample).collect();
        for pair in v
            .get("set")
            .and_then(|s| s.as_array())
            .into_iter()
            .flatten()
        {
            out[pair[0].as_u64().unwrap() as usize] = pair[1].as_f64().unwrap();
        }
        return out;
    }
    let n = v["n"].as_u64().unwrap() as usize;
    let (loc, scale) = (v["loc"].as_f64().unwrap(), v["scale"].as_f64().unwrap());
    let mut rng = SplitMix(v["seed"].as_u64().unwrap());
    (0..n)
        .map(|_| match v["gen"].as_str().unwrap() {
            "uniform" => loc + scale * rng.uniform(),
            "irwin_hall" => {
                let (a, b, c, d) = (rng.uniform(), rng.uniform(), rng.uniform(), rng.uniform());
                loc + scale * (a + b + c + d - 2.0)
            }
            "skewed" => {
                let u = rng.uniform();
                loc + scale * (u * u)
            }
            "ties" => loc + scale * (rng.uniform() * v["k"].as_f64().unwrap()).floor(),
            other => panic!("unknown generator {other}"),
        })
        .collect()
}

/// Relative closeness, with an absolute floor for values near zero.
pub fn close(actual: f64, expected: f64, rel: f64, abs: f64) -> bool {
    actual == expected || (actual - expected).abs() <= rel * expected.abs() + abs
}
