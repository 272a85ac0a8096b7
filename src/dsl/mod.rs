//! The trigger rule language (issue 3).
