-- Ends a statement, and the batch (transaction) it is part of, with an error code of our own. Used
-- where a request's checks ride in the same round trip as its work (README "Data path"):
-- e.g. `WHERE CASE WHEN <not allowed> THEN shop_refuse('SH401') ELSE true END`.
-- SH401: the token's user or session is no longer valid; SH403: not staff.
CREATE OR REPLACE FUNCTION shop_refuse(code text) RETURNS boolean
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  RAISE EXCEPTION USING ERRCODE = code, MESSAGE = 'refused: ' || code;
END
$$;
