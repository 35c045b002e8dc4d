"""The history model, pure: a policy's files at each commit become its text (layout,
metadata, templating, bounds), its text becomes what a reader reads (fingerprints), and
the commits become revisions and versions with honest dates (timeline, declared_dates).
Plain data in, plain data out: no git, no MkDocs, no files."""
