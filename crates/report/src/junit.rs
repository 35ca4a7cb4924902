//! JUnit XML, the test-report format CI systems read: one `<testcase>` per check or test.

/// How a case ended, in JUnit's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseOutcome {
    /// Passed.
    Pass,
    /// Passed with a warning (in `<system-out>`).
    Warn,
    /// Failed (`<failure>`).
    Fail,
    /// Skipped (`<skipped>`).
    Skipped,
}

/// One test case.
pub struct Case {
    /// The case's group (a column, a slice).
    pub classname: String,
    /// Its name.
    pub name: String,
    pub outcome: CaseOutcome,
    /// One line: what was judged and found.
    pub message: String,
    /// The failure's body (sample rows, an interval).
    pub body: String,
    /// The failure's type (the check or metric).
    pub kind: String,
}

/// Text for XML attribute values and content.
fn xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .collect()
}

/// A JUnit document with one suite: `tool` names the `<testsuites>`, `suite` the suite.
pub fn render(tool: &str, suite: &str, cases: &[Case]) -> String {
    let count = |o: CaseOutcome| cases.iter().filter(|c| c.outcome == o).count();
    let (tests, failures, skipped) = (
        cases.len(),
        count(CaseOutcome::Fail),
        count(CaseOutcome::Skipped),
    );
    let totals =
        format!("tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\"");
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"{}\" {totals}>\n  <testsuite name=\"{}\" {totals}>\n",
        xml(tool),
        xml(suite)
    );
    for case in cases {
        out.push_str(&format!(
            "    <testcase classname=\"{}\" name=\"{}\">",
            xml(&case.classname),
            xml(&case.name)
        ));
        match case.outcome {
            CaseOutcome::Fail => out.push_str(&format!(
                "\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    ",
                xml(&case.message),
                xml(&case.kind),
                xml(&case.body)
            )),
            CaseOutcome::Skipped => out.push_str(&format!(
                "\n      <skipped message=\"{}\"/>\n    ",
                xml(&case.message)
            )),
            CaseOutcome::Warn => out.push_str(&format!(
                "\n      <system-out>warning: {}</system-out>\n    ",
                xml(&case.message)
            )),
            CaseOutcome::Pass => {}
        }
        out.push_str("</testcase>\n");
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}
