"""Product updates published to sales, with read acknowledgements."""
