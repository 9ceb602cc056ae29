"""Multi-target tracking: the first simple tracker (``simple``) and the batched tracker (``mtt``)."""
