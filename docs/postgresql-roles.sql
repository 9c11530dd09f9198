-- Roles for a team's tracker database on PostgreSQL (README: "A team database").
--
-- Run once as the server's superuser (or a role with CREATEROLE and CREATEDB):
--   psql -v ON_ERROR_STOP=1 -f docs/postgresql-roles.sql postgres
-- then set the passwords:  \password tracker_owner  \password ann  \password manager
--
-- tracker_owner  owns the database and its schema (the first `tracker` run creates the
--                tables as this role); used for schema upgrades.
-- tracker_writer analysts who import, add, correct and delete figures.
-- tracker_reader who may only read: list, report, verify, chart, export, check.
--                A write is refused by the server; the tracker says so in one line.
-- Give people LOGIN roles that are members of one of the two groups.

CREATE ROLE tracker_owner LOGIN;
CREATE ROLE tracker_writer NOLOGIN;
CREATE ROLE tracker_reader NOLOGIN;
CREATE DATABASE tracker OWNER tracker_owner;

\connect tracker

-- nobody else may create objects in the tracker's schema
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO tracker_writer, tracker_reader;

-- What tracker_owner creates later (the tables, at the first run) is granted at once:
ALTER DEFAULT PRIVILEGES FOR ROLE tracker_owner IN SCHEMA public
    GRANT SELECT ON TABLES TO tracker_reader;
ALTER DEFAULT PRIVILEGES FOR ROLE tracker_owner IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE ON TABLES TO tracker_writer;
ALTER DEFAULT PRIVILEGES FOR ROLE tracker_owner IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO tracker_writer;
-- (the tracker never deletes a row: corrections and retractions keep every version)

-- People: one LOGIN role each, in one group.
CREATE ROLE ann LOGIN IN ROLE tracker_writer;
CREATE ROLE manager LOGIN IN ROLE tracker_reader;
