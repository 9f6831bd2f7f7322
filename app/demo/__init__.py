"""A realistic demo data set, loaded through the same services people use."""
