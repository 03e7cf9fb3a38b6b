"""The D1 data layer: a thin client over the binding, named SQL, and one repository per table group."""
