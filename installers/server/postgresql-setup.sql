-- The Loket central database and its two roles, least privilege (installers/server/README.md).
--
--   loket_owner  owns the database, the schema and every table: runs `loket-server migrate`
--                (and the backups). Its password is for loket-server-migrate.service only.
--   loket_app    what the running server connects as: reads and changes rows, never the
--                schema (no CREATE, ALTER, DROP, TRUNCATE); the audit log append-only and
--                the schema version read-only (`loket-server migrate --grant-to loket_app`
--                sets the table privileges after every migration).
--
-- Run once as the PostgreSQL superuser; the passwords come from the environment (never the
-- command line, where `ps` shows them):
--
--   export LOKET_OWNER_PASSWORD=... LOKET_APP_PASSWORD=...    (e.g. `openssl rand -hex 24`)
--   sudo --preserve-env=LOKET_OWNER_PASSWORD,LOKET_APP_PASSWORD \
--       -u postgres psql -X -v ON_ERROR_STOP=1 -f installers/server/postgresql-setup.sql
--
-- Other names: -v dbname=... -v owner_role=... -v app_role=... . Running it again changes
-- nothing but the two passwords (a way to change them). psql 15 or newer (\getenv).

\set ON_ERROR_STOP on
\if :{?dbname}
\else
  \set dbname loket
\endif
\if :{?owner_role}
\else
  \set owner_role loket_owner
\endif
\if :{?app_role}
\else
  \set app_role loket_app
\endif
\getenv owner_password LOKET_OWNER_PASSWORD
\getenv app_password LOKET_APP_PASSWORD
\if :{?owner_password}
\else
  \warn 'postgresql-setup.sql: set LOKET_OWNER_PASSWORD and LOKET_APP_PASSWORD in the environment'
  SELECT 'LOKET_OWNER_PASSWORD is not set'::integer;
\endif
\if :{?app_password}
\else
  \warn 'postgresql-setup.sql: set LOKET_APP_PASSWORD in the environment'
  SELECT 'LOKET_APP_PASSWORD is not set'::integer;
\endif

-- the roles: log in, nothing else (no superuser, no CREATEDB, no CREATEROLE)
SELECT format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION', r)
  FROM unnest(ARRAY[:'owner_role', :'app_role']) AS r
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) \gexec
SELECT format('ALTER ROLE %I PASSWORD %L', :'owner_role', :'owner_password') \gexec
SELECT format('ALTER ROLE %I PASSWORD %L', :'app_role', :'app_password') \gexec

SELECT format('CREATE DATABASE %I OWNER %I ENCODING %L TEMPLATE template0', :'dbname', :'owner_role', 'UTF8')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'dbname') \gexec

-- nobody else may connect; the app role may connect but not create schemas or temp tables
REVOKE ALL ON DATABASE :"dbname" FROM PUBLIC;
GRANT CONNECT ON DATABASE :"dbname" TO :"app_role";

\connect :"dbname"
-- the schema belongs to the owner; the app role may use what is in it, create nothing
ALTER SCHEMA public OWNER TO :"owner_role";
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO :"app_role";
-- tables and sequences the owner creates later (migrations) are the app role's to use;
-- `migrate --grant-to` then narrows the audit log and the schema version
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner_role" IN SCHEMA public
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"app_role";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner_role" IN SCHEMA public
  GRANT USAGE, SELECT ON SEQUENCES TO :"app_role";
-- a runaway query or a forgotten transaction of the server cannot hold locks for ever
ALTER ROLE :"app_role" IN DATABASE :"dbname" SET idle_in_transaction_session_timeout = '5min';
