//! uniffi bindings (being written).
