"""Command and control: threat evaluation, weapon-target assignment, firing doctrine."""
