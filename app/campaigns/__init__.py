"""The campaign page, composed from the features that each own a part of it."""
