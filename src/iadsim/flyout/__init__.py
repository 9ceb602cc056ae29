"""Interceptor flyout: the first straight-line model (``simple``) and the 3-DOF model."""
