"""The product catalog: what sales may promise, where, and at what price."""
