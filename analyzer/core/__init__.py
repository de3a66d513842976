"""The pure core: result types, configuration, errors, word alignment and progress hooks.

Standard library only; every other package builds on these modules and none of them imports
anything else from Floorshare.
"""
