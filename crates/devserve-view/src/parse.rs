//! Parse the tokens of one `view!` into a [`crate::ViewTree`].
