//! Automations written by marketers as YAML files.
