//! The core is layered without circles: a module may import from its own layer or the layers
//! below, never from one above. This reads every source file and fails on an upward `crate::` path,
//! so a new import that would close a circle is caught here rather than in review.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

/// Lowest first. A module not listed here fails the test, so a new one must be placed.
const LAYERS: &[&[&str]] = &[
    &["secret", "clock", "strategy", "logging", "urls"],
    &["transport"],
    &["error"],
    &["config", "tokens", "ticket", "oauth1", "random"],
    &["cookies", "http", "answers"],
    &["exchange"],
    &["flows"],
    &["client"],
    &["store"],
    &["session"],
    &["browser"],
    &["vault"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

/// Every `.rs` file under `dir`, with the top-level module it belongs to.
fn sources(dir: &Path, top: Option<&str>, out: &mut Vec<(String, String)>) {
    for entry in fs::read_dir(dir).expect("src is readable") {
        let path = entry.expect("dir entry").path();
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("utf-8 name")
            .to_owned();
        let module = top.map(str::to_owned).unwrap_or_else(|| stem.clone());
        if path.is_dir() {
            sources(&path, Some(&module), out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            if top.is_none() && stem == "lib" {
                continue;
            }
            out.push((module, fs::read_to_string(&path).expect("readable source")));
        }
    }
}

/// The top-level modules a source names as `crate::<module>`, outside comments.
fn imports(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(i) = rest.find("crate::") {
            let after = &rest[i + "crate::".len()..];
            let name: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() && name.chars().next().is_some_and(|c| c.is_ascii_lowercase()) {
                found.push(name);
            }
            rest = after;
        }
    }
    found
}

#[test]
fn no_module_imports_one_above_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, None, &mut files);
    assert!(files.len() > 20, "found only {} source files", files.len());
    let mut upward: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (module, text) in &files {
        let own =
            layer_of(module).unwrap_or_else(|| panic!("module `{module}` is not placed in LAYERS"));
        for used in imports(text) {
            let Some(theirs) = layer_of(&used) else {
                continue;
            };
            if theirs > own {
                upward.entry(module.clone()).or_default().push(used);
            }
        }
    }
    assert!(
        upward.is_empty(),
        "upward imports (module -> modules above it): {upward:?}"
    );
}

#[test]
fn the_checker_sees_an_upward_import() {
    // A checker that cannot fail proves nothing: feed it a line that imports from above.
    assert_eq!(
        imports("use crate::session::Session; // crate::x"),
        ["session"]
    );
    assert!(layer_of("session") > layer_of("http"));
}
