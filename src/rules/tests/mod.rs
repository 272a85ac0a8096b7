//! Loading automations and `rules check`: keys, conditions with positions in the YAML
//! file, splits, and the shipped examples.

mod check;
mod load;
mod locate;
