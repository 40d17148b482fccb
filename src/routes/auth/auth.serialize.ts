import type { users } from "../../db/schema";

type User = typeof users.$inferSelect;

export const userJson = (u: User) => ({
  id: u.id,
  username: u.username,
  email: u.email,
  first_name: u.firstName,
  last_name: u.lastName,
});

export const profileJson = (u: User) => ({
  ...userJson(u),
  phone_number: u.phoneNumber,
  address: u.address,
  city: u.city,
  postal_code: u.postalCode,
  country: u.country,
});
