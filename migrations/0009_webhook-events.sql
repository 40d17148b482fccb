-- Webhook events written in the transaction that caused them (README "Webhooks"), by triggers, so
-- every writer of orders and stock (placement, status changes, cancellation, staff edits, imports)
-- emits them and no request pays a statement of its own for it. Each event gets one delivery row
-- per active endpoint subscribed to its type; src/webhooks/fanout.ts puts those on the queue after
-- commit and the minute sweep puts whatever that missed. Nothing is written when no endpoint wants the type.
CREATE OR REPLACE FUNCTION shop_webhook_emit(event_type text, data jsonb)
RETURNS void LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  event_id bigint;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM webhook_endpoints WHERE is_active AND events @> ARRAY[event_type]) THEN
    RETURN;
  END IF;
  INSERT INTO webhook_events (type, payload) VALUES (event_type, data) RETURNING id INTO event_id;
  INSERT INTO webhook_deliveries (event_id, endpoint_id)
    SELECT event_id, e.id FROM webhook_endpoints e WHERE e.is_active AND e.events @> ARRAY[event_type];
END $$;
--> statement-breakpoint
-- An order's snapshot has the fields of the API's order detail (orderJson in
-- src/routes/orders/orders.service.ts; tests/e2e/webhooks.test.ts compares the two) and the
-- status it moved from.
CREATE OR REPLACE FUNCTION shop_webhook_order_event()
RETURNS trigger LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  kind text := CASE
    WHEN NEW.type = 'order_created' THEN 'order.created'
    WHEN NEW.status = 'cancelled' THEN 'order.cancelled'
    ELSE 'order.status_changed' END;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM webhook_endpoints WHERE is_active AND events @> ARRAY[kind]) THEN
    RETURN NULL;
  END IF;
  PERFORM shop_webhook_emit(kind, jsonb_build_object(
    'previous_status', (SELECT h.from_status FROM order_status_history h
                        WHERE h.order_id = NEW.order_id ORDER BY h.id DESC LIMIT 1),
    'order', (
      SELECT jsonb_build_object(
        'id', o.id, 'user', o.user_id, 'user_name', u.username, 'status', o.status,
        'total_price', o.total_price::text, 'shipping_address', o.shipping_address,
        'phone_number', o.phone_number,
        'items', COALESCE((
          SELECT jsonb_agg(jsonb_build_object(
                   'id', i.id, 'product', i.product_id, 'product_name', i.product_name, 'quantity', i.quantity,
                   'price', i.price::text, 'subtotal', (i.price * i.quantity)::text) ORDER BY i.id)
          FROM order_items i WHERE i.order_id = o.id), '[]'::jsonb),
        'created_at', to_char(o.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
        'updated_at', to_char(o.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
      FROM orders o JOIN users u ON u.id = o.user_id WHERE o.id = NEW.order_id)));
  RETURN NULL;
END $$;
--> statement-breakpoint
-- An AFTER trigger runs when the whole statement is done, so the placement's items and history
-- rows (later parts of the same statement) are in the snapshot.
CREATE TRIGGER order_events_webhooks AFTER INSERT ON order_events
  FOR EACH ROW EXECUTE FUNCTION shop_webhook_order_event();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION shop_webhook_stock()
RETURNS trigger LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  PERFORM shop_webhook_emit(
    CASE WHEN NEW.stock = 0 THEN 'product.out_of_stock' ELSE 'product.stock_low' END,
    jsonb_build_object('product', jsonb_build_object(
      'id', NEW.id, 'name', NEW.name, 'price', NEW.price::text, 'stock', NEW.stock,
      'previous_stock', OLD.stock, 'category', NEW.category_id, 'low_stock_below', 10,
      'updated_at', to_char(NEW.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))));
  RETURN NULL;
END $$;
--> statement-breakpoint
-- Only a change that crosses a line calls the function: into "low" (under 10, LOW_STOCK_BELOW in
-- src/routes/admin/stats.service.ts, as GET /api/products/low_stock/ and the dashboard count it)
-- or to 0. Every other stock change (most of a placement's) costs only this condition.
CREATE TRIGGER products_stock_webhooks AFTER UPDATE OF stock ON products
  FOR EACH ROW WHEN (NOT NEW.is_archived AND (
    (OLD.stock > 0 AND NEW.stock = 0) OR (OLD.stock >= 10 AND NEW.stock < 10 AND NEW.stock > 0)))
  EXECUTE FUNCTION shop_webhook_stock();
