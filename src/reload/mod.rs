//! Hot reload: watch files, rebuild, swap atomically, keep the last good version.
