import * as z from "zod";
import type { users } from "../../db/schema";
import { id } from "../../openapi/schemas";

type UserRow = typeof users.$inferSelect;

export const User = z
  .object({ id, username: z.string(), email: z.string(), first_name: z.string(), last_name: z.string() })
  .meta({ id: "User" });
export const Profile = User.extend({
  phone_number: z.string(),
  address: z.string(),
  city: z.string(),
  postal_code: z.string(),
  country: z.string(),
}).meta({ id: "Profile" });
export const Tokens = z.object({ refresh: z.string(), access: z.string() }).meta({ id: "Tokens" });
export const AuthResult = z.object({ message: z.string(), user: User, tokens: Tokens }).meta({ id: "AuthResult" });
export const ProfileUpdated = z.object({ message: z.string(), profile: Profile }).meta({ id: "ProfileUpdated" });

export const userJson = (
  u: Pick<UserRow, "id" | "username" | "email" | "firstName" | "lastName">,
): z.infer<typeof User> => ({
  id: u.id,
  username: u.username,
  email: u.email,
  first_name: u.firstName,
  last_name: u.lastName,
});

export const profileJson = (u: UserRow): z.infer<typeof Profile> => ({
  ...userJson(u),
  phone_number: u.phoneNumber,
  address: u.address,
  city: u.city,
  postal_code: u.postalCode,
  country: u.country,
});
