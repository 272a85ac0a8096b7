//! `restock rules check [PATHS]`: validate rules files and print every problem, so
//! marketers can run it in CI or a pre-commit hook.

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::{load_str, Automation};
use crate::dsl::{Diagnostic, Field, Schema, Type};

/// The directory checked when no path is given.
pub const DEFAULT_RULES_DIR: &str = "rules";

/// The schema `rules check` uses until product fields and contact attributes are
/// configured: the standard feed fields, and the contact attributes the shipped examples
/// use. [`check_paths_with`] takes the real one.
pub fn default_schema() -> Schema {
    let mut schema = Schema::standard();
    for (name, ty) in [
        ("vip", Type::Bool),
        ("firstName", Type::String),
        ("lastName", Type::String),
    ] {
        // The names are valid and distinct, so adding cannot fail.
        let _ = schema.add_contact_attribute(name, ty);
    }
    schema
}

/// The rules files among `paths`: each file as given, and the `*.yaml` / `*.yml` files of
/// each directory (not recursive), sorted. No paths means [`DEFAULT_RULES_DIR`].
pub fn rule_files(paths: &[PathBuf]) -> io::Result<Vec<PathBuf>> {
    let default = [PathBuf::from(DEFAULT_RULES_DIR)];
    let paths = if paths.is_empty() {
        &default[..]
    } else {
        paths
    };
    let mut files = Vec::new();
    for path in paths {
        if !path.is_dir() {
            files.push(path.clone());
            continue;
        }
        let mut found = Vec::new();
        for entry in std::fs::read_dir(path)? {
            let file = entry?.path();
            let yaml = file.extension().is_some_and(|e| e == "yaml" || e == "yml");
            if yaml && file.is_file() {
                found.push(file);
            }
        }
        found.sort();
        files.append(&mut found);
    }
    Ok(files)
}

/// Checks the rules files at `paths` against [`default_schema`], writes every diagnostic
/// and a summary to `out`, and returns whether everything is valid (exit non-zero if not).
/// An unreadable path is reported like any other problem; only a failure to write to
/// `out` is an `Err`.
pub fn check_paths(paths: &[PathBuf], out: &mut impl Write) -> io::Result<bool> {
    check_paths_with(paths, &default_schema(), out)
}

/// [`check_paths`] against a given schema (product fields from the feeds, the declared
/// contact attributes).
pub fn check_paths_with(
    paths: &[PathBuf],
    schema: &Schema,
    out: &mut impl Write,
) -> io::Result<bool> {
    let files = match rule_files(paths) {
        Ok(files) => files,
        Err(error) => {
            writeln!(out, "error: cannot list the rules files: {error}")?;
            return Ok(false);
        }
    };
    let mut errors = 0;
    let mut automations: Vec<Automation> = Vec::new();
    for path in &files {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(error) => {
                writeln!(out, "error: cannot read {}: {error}\n", path.display())?;
                errors += 1;
                continue;
            }
        };
        match load_str(&text, path, schema) {
            Ok(mut loaded) => automations.append(&mut loaded),
            Err(diagnostics) => {
                for d in &diagnostics {
                    writeln!(out, "{d}")?;
                }
                errors += diagnostics.len();
            }
        }
    }
    for d in duplicate_ids(&automations) {
        writeln!(out, "{d}")?;
        errors += 1;
    }
    let files = files.len();
    if errors == 0 {
        let reads = reads(&automations);
        let (files, automations) = (count(files, "file"), count(automations.len(), "automation"));
        writeln!(out, "ok: {files}, {automations}{reads}")?;
    } else {
        let (errors, files) = (count(errors, "error"), count(files, "file"));
        let valid = count(automations.len(), "automation");
        writeln!(out, "failed: {errors} in {files} ({valid} valid)")?;
    }
    Ok(errors == 0)
}

/// `; conditions read quantity, product.price, …` — what the data needs to contain.
fn reads(automations: &[Automation]) -> String {
    let mut fields: Vec<&Field> = Vec::new();
    for f in automations
        .iter()
        .filter_map(|a| a.when.as_ref())
        .flat_map(|c| c.references())
    {
        if !fields.contains(&f) {
            fields.push(f);
        }
    }
    if fields.is_empty() {
        return String::new();
    }
    let names: Vec<String> = fields.iter().map(ToString::to_string).collect();
    format!("; conditions read {}", names.join(", "))
}

fn duplicate_ids(automations: &[Automation]) -> Vec<Diagnostic> {
    let mut seen: HashMap<&str, &Automation> = HashMap::new();
    let mut out = Vec::new();
    for a in automations {
        match seen.get(a.id.as_str()) {
            Some(first) => out.push(Diagnostic {
                file: Some(a.origin.file.display().to_string().into()),
                line: a.origin.line,
                column: 1,
                width: 1,
                message: format!("the automation id {} is used twice", a.id),
                help: Some(format!(
                    "it is also the id in {}",
                    location(&first.origin.file, first.origin.line)
                )),
                source_line: line_of(&a.origin.file, a.origin.line),
            }),
            None => {
                seen.insert(&a.id, a);
            }
        }
    }
    out
}

fn location(file: &Path, line: usize) -> String {
    format!("{}:{line}", file.display())
}

fn line_of(file: &Path, line: usize) -> String {
    std::fs::read_to_string(file)
        .ok()
        .and_then(|t| t.lines().nth(line.saturating_sub(1)).map(str::to_owned))
        .unwrap_or_default()
}

/// `1 file`, `2 files`: counts that people read.
fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
