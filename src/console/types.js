// @ts-check
// The API's JSON as the console reads it, for the type-check only (tsconfig.console.json): the
// other modules name these in JSDoc (`@import`), so the browser never loads this file. The
// server's zod schemas (src/routes/*/*.serialize.ts) are the source; these follow them.

/** @typedef {"pending" | "processing" | "shipped" | "delivered" | "cancelled"} OrderStatus */

/**
 * A DRF page (`?page=`, `?page_size=`).
 * @template T
 * @typedef {{ count: number, next: string | null, previous: string | null, results: T[] }} Page
 */

/** @typedef {{ id: number, username: string, email: string, first_name: string, last_name: string }} User */

/** `GET /api/admin/me/`. @typedef {User & { is_staff: true }} StaffMe */

/**
 * @typedef {object} Category
 * @property {number} id
 * @property {string} name
 * @property {string} description
 * @property {number} products_count
 * @property {string} created_at
 */

/**
 * @typedef {object} Product
 * @property {number} id
 * @property {string} name
 * @property {string} description
 * @property {string} price decimal string ("149.00")
 * @property {number} stock
 * @property {number} category
 * @property {string} category_name
 * @property {boolean} in_stock
 * @property {string} created_at
 * @property {string} updated_at
 */

/**
 * A row of `GET /api/admin/customers/`.
 * @typedef {User & { is_staff: boolean, is_active: boolean, date_joined: string, orders_count: number }} CustomerSummary
 */

/**
 * The profile fields of `GET /api/auth/profile/`.
 * @typedef {User & { phone_number: string, address: string, city: string, postal_code: string, country: string }} Profile
 */

/**
 * `GET /api/admin/customers/{id}/`.
 * @typedef {Profile & { is_staff: boolean, is_active: boolean, date_joined: string, order_summary: OrderTotals }} Customer
 */

/**
 * @typedef {object} OrderTotals
 * @property {number} count
 * @property {string} total_spent decimal string, over the orders that are not cancelled
 * @property {string | null} last_order_at
 * @property {Record<OrderStatus, number>} by_status
 */

/**
 * A row of `GET /api/admin/orders/`.
 * @typedef {object} OrderSummary
 * @property {number} id
 * @property {OrderStatus} status
 * @property {string} total_price
 * @property {number} items_count
 * @property {string} created_at
 * @property {number} user
 * @property {string} user_name
 * @property {string} email
 */

/**
 * `GET /api/admin/orders/{id}/`.
 * @typedef {object} Order
 * @property {number} id
 * @property {number} user
 * @property {string} user_name
 * @property {string} email
 * @property {OrderStatus} status
 * @property {string} total_price
 * @property {string} shipping_address
 * @property {string} phone_number
 * @property {OrderItem[]} items
 * @property {string} created_at
 * @property {string} updated_at
 * @property {OrderStatus[]} next_statuses the moves the workflow allows now
 * @property {StatusChange[]} history oldest first
 */

/**
 * @typedef {object} OrderItem
 * @property {number} id
 * @property {number | null} product null once the product is deleted
 * @property {string} product_name
 * @property {number} quantity
 * @property {string} price
 * @property {string} subtotal
 */

/**
 * @typedef {object} StatusChange
 * @property {OrderStatus | null} from_status null for the placement
 * @property {OrderStatus} to_status
 * @property {number | null} changed_by
 * @property {string | null} changed_by_name
 * @property {string} changed_at
 */

/** `update_status/` and `cancel/`. @typedef {{ message: string, order: Order }} OrderChanged */

/**
 * An order placed or moved; views re-read what they show for it.
 * @typedef {object} FeedEvent
 * @property {"order_created" | "order_update"} type
 * @property {number} order_id
 * @property {number} user_id
 * @property {OrderStatus} status
 * @property {string} message
 * @property {number} seq
 * @property {string} at
 */

/**
 * A point of `GET /api/admin/stats/`'s series: one day or hour in the zone asked for.
 * @typedef {object} StatsPoint
 * @property {string} start the bucket's first instant, UTC
 * @property {string} local its start in the zone: "2026-12-01" or "2026-12-01T14:00"
 * @property {number} orders not cancelled
 * @property {string} revenue decimal string, orders not cancelled
 * @property {number} cancelled
 * @property {number} new_customers
 */

/** @typedef {{ product: number | null, name: string, units: number, revenue: string }} TopProduct */

/** @typedef {{ orders: number, revenue: string, cancelled: number }} Sales */

/**
 * `GET /api/admin/stats/`.
 * @typedef {object} Stats
 * @property {string} from
 * @property {string} to
 * @property {"day" | "hour"} bucket
 * @property {string} tz
 * @property {StatsPoint[]} series
 * @property {Sales & { average_order_value: string, new_customers: number }} totals
 * @property {Sales & { since: string }} today
 * @property {Record<OrderStatus, number>} orders_by_status
 * @property {{ by_units: TopProduct[], by_revenue: TopProduct[] }} top_products
 * @property {{ low: number, out: number, low_below: number }} stock
 * @property {{ count: number, items: number, value: string }} open_carts
 */

/**
 * @typedef {object} OpenCartLine
 * @property {number} product
 * @property {string} product_name
 * @property {number} quantity
 * @property {string} price today's price
 * @property {string} subtotal
 * @property {string} added_at
 */

/**
 * A row of `GET /api/admin/carts/`.
 * @typedef {object} OpenCart
 * @property {number} id
 * @property {number} user
 * @property {string} user_name
 * @property {string} email
 * @property {OpenCartLine[]} items
 * @property {number} item_count
 * @property {string} total
 * @property {string} opened_at when its oldest line was added
 * @property {string} updated_at when its newest line was added
 */

/**
 * @typedef {"order.created" | "order.status_changed" | "order.cancelled" | "product.stock_low" | "product.out_of_stock"} WebhookEvent
 */

/**
 * An endpoint's deliveries so far, and its latest attempt.
 * @typedef {object} WebhookHealth
 * @property {number} pending
 * @property {number} delivered
 * @property {number} failed
 * @property {string | null} last_attempt_at
 * @property {number | null} last_status_code null when the attempt got no answer
 */

/**
 * A row of `GET /api/admin/webhooks/`.
 * @typedef {object} WebhookEndpoint
 * @property {number} id
 * @property {string} url
 * @property {string} description
 * @property {WebhookEvent[]} events
 * @property {boolean} is_active
 * @property {boolean} follow_redirects
 * @property {string | null} disabled_reason why the API disabled it (null when staff did, or it is active)
 * @property {string | null} failing_since
 * @property {string | null} previous_secret_expires_at while a rotated-out secret still signs
 * @property {string} created_at
 * @property {string} updated_at
 * @property {WebhookHealth} health
 */

/** `POST /api/admin/webhooks/`: the secret is in this answer only. @typedef {WebhookEndpoint & { secret: string }} CreatedWebhook */

/** `rotate-secret/`. @typedef {{ secret: string, previous_secret_expires_at: string | null }} RotatedSecret */

/**
 * @typedef {object} DeliveryAttempt
 * @property {number} [attempt] the log's entries are numbered; `last` is not
 * @property {number | null} status_code null when no answer came (timeout, refused)
 * @property {number} duration_ms
 * @property {string | null} error
 * @property {string} at
 */

/**
 * A row of `GET /api/admin/webhooks/{id}/deliveries/`.
 * @typedef {object} WebhookDelivery
 * @property {number} id
 * @property {string} event_id
 * @property {string} event_type
 * @property {"pending" | "delivered" | "failed"} status
 * @property {number} attempts
 * @property {string | null} next_attempt_at
 * @property {string | null} delivered_at
 * @property {string} created_at
 * @property {DeliveryAttempt | null} last
 * @property {DeliveryAttempt[]} log
 */

/**
 * The staff feed's notice that the API disabled an endpoint after failing deliveries.
 * @typedef {import("./client.js").HubNotice} WebhookDisabled
 */

export {};
