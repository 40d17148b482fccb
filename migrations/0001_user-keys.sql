DROP INDEX "users_username_lower_key";--> statement-breakpoint
-- Added nullable, filled, then made NOT NULL: existing usernames are ASCII (the registration and
-- create-admin patterns), for which lower() and usernameKey() agree.
ALTER TABLE "users" ADD COLUMN "username_key" text;--> statement-breakpoint
UPDATE "users" SET "username_key" = lower("username");--> statement-breakpoint
ALTER TABLE "users" ALTER COLUMN "username_key" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "hub_key" uuid DEFAULT gen_random_uuid() NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "users_username_key_key" ON "users" USING btree ("username_key");--> statement-breakpoint
CREATE UNIQUE INDEX "users_hub_key_key" ON "users" USING btree ("hub_key");
