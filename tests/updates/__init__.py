"""Product updates: publishing them to sales, and the sellers' acknowledgements."""
