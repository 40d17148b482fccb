-- The staff dashboard's figures in one call (GET /api/admin/stats/, src/routes/admin/stats.service.ts,
-- README "Staff console"). Here rather than in the Worker's code to keep its bundle within budget.
-- `tz` is an IANA zone and `bucket` 'day' or 'hour', both checked by the route; `from_text` and
-- `to_text` are dates or date-times as the caller sent them (NULL: the last 30 days up to now).
-- Every scan of orders is a range of orders_created_idx, of users one of users_created_idx, the
-- stock counts read products_stock_idx.
CREATE OR REPLACE FUNCTION shop_stats(tz text, bucket text, from_text text, to_text text, low_below int, top_n int)
RETURNS json LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  result json;
BEGIN
  -- For the rest of the transaction every date_trunc, date cast and interval step is in tz, days
  -- of 23 or 25 hours and half-hour zones included; commit puts the setting back.
  PERFORM set_config('TimeZone', tz, true);
  WITH hi AS (
    SELECT CASE WHEN to_text IS NULL THEN now()
      WHEN length(to_text) = 10 THEN (to_text::date + 1)::timestamptz
      ELSE to_text::timestamptz END AS hi),
  bounds AS (
    SELECT CASE WHEN from_text IS NULL THEN hi - interval '30 days'
      WHEN length(from_text) = 10 THEN from_text::date::timestamptz
      ELSE from_text::timestamptz END AS lo, hi FROM hi),
  buckets AS (
    SELECT b AS start FROM bounds,
      generate_series(date_trunc(bucket, lo), hi - interval '1 microsecond', ('1 ' || bucket)::interval) b),
  ranged AS NOT MATERIALIZED (SELECT o.* FROM orders o, bounds WHERE o.created_at >= lo AND o.created_at < hi),
  placed AS (
    SELECT date_trunc(bucket, created_at) AS start,
      count(*) FILTER (WHERE status <> 'cancelled')::int AS orders,
      sum(total_price) FILTER (WHERE status <> 'cancelled') AS revenue,
      count(*) FILTER (WHERE status = 'cancelled')::int AS cancelled
    FROM ranged GROUP BY 1),
  joined AS (
    SELECT date_trunc(bucket, u.created_at) AS start, count(*)::int AS n
    FROM users u, bounds WHERE u.created_at >= lo AND u.created_at < hi AND NOT u.is_staff GROUP BY 1),
  points AS (
    SELECT b.start, COALESCE(p.orders, 0) AS orders, COALESCE(p.revenue, 0) AS revenue,
      COALESCE(p.cancelled, 0) AS cancelled, COALESCE(j.n, 0) AS new_customers
    FROM buckets b LEFT JOIN placed p USING (start) LEFT JOIN joined j USING (start)),
  -- Lines of the range's orders that are not cancelled, per product (deleted products by name),
  -- summed before the products' names are joined: joining first carried every product row
  -- through the aggregate, two thirds of the call's time at 100,000 orders.
  sold AS (
    SELECT oi.product_id AS product, min(oi.product_name) AS line_name,
      sum(oi.quantity)::int AS units, sum(oi.price * oi.quantity) AS revenue
    FROM ranged o JOIN order_items oi ON oi.order_id = o.id
    WHERE o.status <> 'cancelled'
    GROUP BY oi.product_id, CASE WHEN oi.product_id IS NULL THEN oi.product_name END),
  lines AS (
    SELECT s.product, COALESCE(p.name, s.line_name) AS name, s.units, s.revenue
    FROM sold s LEFT JOIN products p ON p.id = s.product),
  today AS (
    SELECT count(*) FILTER (WHERE status <> 'cancelled')::int AS orders,
      COALESCE(sum(total_price) FILTER (WHERE status <> 'cancelled'), 0) AS revenue,
      count(*) FILTER (WHERE status = 'cancelled')::int AS cancelled
    FROM orders WHERE created_at >= date_trunc('day', now()))
  SELECT json_build_object(
    'from', shop_iso(lo), 'to', shop_iso(hi), 'since', shop_iso(date_trunc('day', now())),
    'series', (SELECT json_agg(json_build_object('start', shop_iso(start),
        'local', to_char(start, CASE WHEN bucket = 'day' THEN 'YYYY-MM-DD' ELSE 'YYYY-MM-DD"T"HH24:MI' END),
        'orders', orders, 'revenue', round(revenue, 2)::text, 'cancelled', cancelled, 'new_customers', new_customers)
      ORDER BY start) FROM points),
    'totals', (SELECT json_build_object('orders', COALESCE(sum(orders), 0)::int,
        'revenue', round(COALESCE(sum(revenue), 0), 2)::text, 'cancelled', COALESCE(sum(cancelled), 0)::int,
        'average_order_value', round(COALESCE(sum(revenue) / NULLIF(sum(orders), 0), 0), 2)::text,
        'new_customers', COALESCE(sum(new_customers), 0)::int) FROM points),
    'today', (SELECT json_build_object('orders', orders, 'revenue', round(revenue, 2)::text, 'cancelled', cancelled)
      FROM today),
    'orders_by_status', (SELECT json_object_agg(status, n)
      FROM (SELECT status, count(*)::int AS n FROM orders GROUP BY status) s),
    'by_units', (SELECT COALESCE(json_agg(json_build_object('product', product, 'name', name, 'units', units,
        'revenue', round(revenue, 2)::text) ORDER BY units DESC, revenue DESC, product), '[]')
      FROM (SELECT * FROM lines ORDER BY units DESC, revenue DESC, product LIMIT top_n) t),
    'by_revenue', (SELECT COALESCE(json_agg(json_build_object('product', product, 'name', name, 'units', units,
        'revenue', round(revenue, 2)::text) ORDER BY revenue DESC, units DESC, product), '[]')
      FROM (SELECT * FROM lines ORDER BY revenue DESC, units DESC, product LIMIT top_n) t),
    'stock', (SELECT json_build_object('low', count(*) FILTER (WHERE stock > 0)::int,
        'out', count(*) FILTER (WHERE stock = 0)::int, 'low_below', low_below)
      FROM products WHERE NOT is_archived AND stock < low_below),
    'open_carts', (SELECT json_build_object('count', count(DISTINCT ci.cart_id)::int,
        'items', COALESCE(sum(ci.quantity), 0)::int, 'value', round(COALESCE(sum(p.price * ci.quantity), 0), 2)::text)
      FROM cart_items ci JOIN products p ON p.id = ci.product_id AND NOT p.is_archived))
  INTO result FROM bounds;
  RETURN result;
END
$$;

-- Timestamps as JavaScript's toISOString() writes them (UTC, milliseconds).
CREATE OR REPLACE FUNCTION shop_iso(t timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE AS $$ SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') $$;
