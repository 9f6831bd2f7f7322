"""Customer commitments and the product-manager countersignature."""
