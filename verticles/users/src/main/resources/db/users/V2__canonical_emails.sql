-- Emails are now stored in the canonical form of dev.microshop.platform.request.Emails: NFKC, lower
-- case, Unicode spaces stripped from both ends. Registration and login apply it in Java; this moves
-- the rows stored before, as typed (String.strip() only), to the same form, so a lookup by the
-- canonical form finds them. The unique index on lower(email) stays: over canonical values it is
-- uniqueness of the canonical form.
--
-- Rows whose canonical forms collide (say 'Ann@x.com' and 'ann@x.com' + U+00A0, both allowed before)
-- keep the oldest account reachable; the others stay as typed, for an operator to settle. After
-- NFKC every space but U+1680, U+2028, U+2029 and the ASCII ones is U+0020, hence the short class.
-- normalize() needs PostgreSQL 13 and a UTF8 database; elsewhere nothing is moved (a notice says so)
-- and accounts whose stored form is not canonical log in only by their lower-case ASCII spelling.
DO $$
BEGIN
  IF current_setting('server_version_num')::int < 130000
     OR current_setting('server_encoding') <> 'UTF8' THEN
    RAISE NOTICE 'users: emails not moved to the canonical form (needs PostgreSQL 13+ and UTF8)';
    RETURN;
  END IF;
  EXECUTE $sql$
    WITH canon AS (
      SELECT id,
             regexp_replace(
               normalize(lower(normalize(email, NFKC)), NFKC),
               '^[\u0009-\u000d\u001c-\u0020\u1680\u2028\u2029]+|[\u0009-\u000d\u001c-\u0020\u1680\u2028\u2029]+$',
               '', 'g') AS canonical,
             row_number() OVER (
               PARTITION BY regexp_replace(
                 normalize(lower(normalize(email, NFKC)), NFKC),
                 '^[\u0009-\u000d\u001c-\u0020\u1680\u2028\u2029]+|[\u0009-\u000d\u001c-\u0020\u1680\u2028\u2029]+$',
                 '', 'g')
               ORDER BY created_at, id) AS rank
      FROM users
    )
    UPDATE users u SET email = c.canonical
    FROM canon c
    WHERE u.id = c.id
      AND c.rank = 1
      AND u.email <> c.canonical
      AND NOT EXISTS (
        SELECT 1 FROM users o WHERE o.id <> u.id AND lower(o.email) = lower(c.canonical))
  $sql$;
END
$$;
