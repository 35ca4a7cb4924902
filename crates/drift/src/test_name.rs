//! The drift tests by name, what they apply to and their default thresholds.

use std::fmt;
use std::str::FromStr;

use seismo_core::UnknownWord;
use serde::{Deserialize, Serialize};

/// A drift test or distance, by the name used in flags, configs and reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TestName {
    /// Two-sample Kolmogorov–Smirnov (p-value).
    Ks,
    /// Chi-square test of homogeneity on category counts (p-value).
    Chi2,
    /// Z-test for two proportions, binary columns (p-value).
    Z,
    /// G-test on category counts (p-value).
    GTest,
    /// Fisher's exact test, binary columns (p-value).
    Fisher,
    /// Welch's t-test (p-value).
    TTest,
    /// Mann–Whitney U (p-value).
    MannWhitney,
    /// k-sample Anderson–Darling (p-value, capped to [0.001, 0.25]).
    Anderson,
    /// Two-sample Cramér–von Mises (p-value).
    CramerVonMises,
    /// Energy distance (distance).
    Energy,
    /// Maximum mean discrepancy, RBF kernel (p-value).
    Mmd,
    /// Wasserstein-1 in reference standard deviations (distance).
    Wasserstein,
    /// Population stability index (distance).
    Psi,
    /// Kullback–Leibler divergence (distance).
    Kl,
    /// Jensen–Shannon distance (distance).
    JensenShannon,
    /// Hellinger distance (distance).
    Hellinger,
    /// Total variation distance (distance).
    Tvd,
    /// L-infinity distance between shares (distance).
    Linf,
}

/// Every test, in the order of the docs.
pub const ALL_TESTS: [TestName; 18] = [
    TestName::Ks,
    TestName::Chi2,
    TestName::Z,
    TestName::GTest,
    TestName::Fisher,
    TestName::TTest,
    TestName::MannWhitney,
    TestName::Anderson,
    TestName::CramerVonMises,
    TestName::Energy,
    TestName::Mmd,
    TestName::Wasserstein,
    TestName::Psi,
    TestName::Kl,
    TestName::JensenShannon,
    TestName::Hellinger,
    TestName::Tvd,
    TestName::Linf,
];

impl TestName {
    /// The word used in flags, configs and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ks => "ks",
            Self::Chi2 => "chi2",
            Self::Z => "z",
            Self::GTest => "g_test",
            Self::Fisher => "fisher",
            Self::TTest => "t_test",
            Self::MannWhitney => "mann_whitney",
            Self::Anderson => "anderson",
            Self::CramerVonMises => "cramer_von_mises",
            Self::Energy => "energy",
            Self::Mmd => "mmd",
            Self::Wasserstein => "wasserstein",
            Self::Psi => "psi",
            Self::Kl => "kl",
            Self::JensenShannon => "jensen_shannon",
            Self::Hellinger => "hellinger",
            Self::Tvd => "tvd",
            Self::Linf => "linf",
        }
    }

    /// Whether the test answers with a p-value (drift when below the threshold) rather than
    /// a distance (drift when at or above it).
    pub fn is_p_value(self) -> bool {
        matches!(
            self,
            Self::Ks
                | Self::Chi2
                | Self::Z
                | Self::GTest
                | Self::Fisher
                | Self::TTest
                | Self::MannWhitney
                | Self::Anderson
                | Self::CramerVonMises
                | Self::Mmd
        )
    }

    /// Whether the test needs ordered numbers (it cannot run on categories).
    pub fn needs_numbers(self) -> bool {
        matches!(
            self,
            Self::Ks
                | Self::TTest
                | Self::MannWhitney
                | Self::Anderson
                | Self::CramerVonMises
                | Self::Energy
                | Self::Mmd
                | Self::Wasserstein
        )
    }

    /// The threshold used when none is given: 0.05 for p-values, 0.1 for distances.
    pub fn default_threshold(self) -> f64 {
        if self.is_p_value() { 0.05 } else { 0.1 }
    }
}

impl fmt::Display for TestName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TestName {
    type Err = UnknownWord;
    fn from_str(s: &str) -> Result<Self, UnknownWord> {
        ALL_TESTS
            .iter()
            .copied()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = ALL_TESTS.iter().map(|t| t.as_str()).collect();
                UnknownWord::new("test", s, names.join(" "))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for t in ALL_TESTS {
            assert_eq!(t.as_str().parse::<TestName>().unwrap(), t);
            assert_eq!(
                serde_json::to_string(&t).unwrap(),
                format!("\"{}\"", t.as_str())
            );
        }
        assert!(
            "kolmogorov"
                .parse::<TestName>()
                .unwrap_err()
                .expected
                .contains("ks chi2 z")
        );
    }
}
