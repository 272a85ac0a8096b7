//! The public face of the language: compile once, evaluate many times.

use super::diagnostic::{Diagnostic, Diagnostics, Origin};
use super::lower::{self, Test};
use super::{check, compile, parse, Field, Record, Schema};

/// A compiled trigger condition.
///
/// Compiling parses, resolves every name against the [`Schema`], checks every type and
/// builds an evaluator; evaluating then does no parsing, no name lookup and no heap
/// allocation. `Send + Sync`: one compiled condition serves every worker thread.
pub struct Condition {
    source: String,
    test: Test,
    references: Vec<Field>,
}

impl std::fmt::Debug for Condition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Condition")
            .field("source", &self.source)
            .field("references", &self.references)
            .finish_non_exhaustive()
    }
}

impl Condition {
    /// Compiles `source` against `schema`; positions in diagnostics count from the start of
    /// `source` (file `<condition>`).
    pub fn compile(source: &str, schema: &Schema) -> Result<Condition, Diagnostics> {
        Self::compile_at(source, schema, &Origin::default())
    }

    /// Compiles `source`, which sits at `origin` in a larger file (a `when:` block in
    /// `rules/vip.yaml`), so diagnostics carry that file's lines and columns.
    pub fn compile_at(
        source: &str,
        schema: &Schema,
        origin: &Origin,
    ) -> Result<Condition, Diagnostics> {
        let located = |problems: Vec<super::diagnostic::Problem>| {
            let all = problems
                .into_iter()
                .map(|p| Diagnostic::from_problem(p, source, origin))
                .collect();
            Diagnostics::new(all)
        };
        let expr = parse::parse_source(source).map_err(|p| located(vec![p]))?;
        let (typed, references) = check::check(&expr, source, schema).map_err(located)?;
        let test = lower::test(compile::predicate(typed));
        Ok(Condition {
            source: source.to_owned(),
            test,
            references,
        })
    }

    /// Whether the record satisfies the condition. Missing data never satisfies a
    /// comparison (see the null rules in `docs/dsl.md`).
    #[inline]
    pub fn evaluate(&self, record: &Record<'_>) -> bool {
        self.test.run(record)
    }

    /// The fields the condition reads, each once, in order of first use; the engine skips
    /// loading purchases or contact attributes that no condition references.
    pub fn references(&self) -> &[Field] {
        &self.references
    }

    /// The text the condition was compiled from.
    pub fn source(&self) -> &str {
        &self.source
    }
}
