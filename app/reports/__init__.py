"""The management view: briefings, feedback, countersignatures and campaign outcomes, per region and quarter."""
