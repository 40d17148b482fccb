import * as z from "zod";

const username = z
  .string()
  .trim()
  .min(1)
  .max(150)
  .regex(
    /^[\w.@+-]+$/,
    "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.",
  );

/** Django's default validators, minus the common-password list. */
function passwordProblems(password: string, user: string): string[] {
  const problems: string[] = [];
  if (password.length < 8) problems.push("This password is too short. It must contain at least 8 characters.");
  if (/^\d+$/.test(password)) problems.push("This password is entirely numeric.");
  if (password.toLowerCase() === user.toLowerCase()) problems.push("The password is too similar to the username.");
  return problems;
}

export const registerSchema = z
  .object({
    username,
    email: z.email().max(254),
    password: z.string().min(1).max(128),
    password2: z.string().min(1).max(128),
    first_name: z.string().trim().max(150).default(""),
    last_name: z.string().trim().max(150).default(""),
  })
  .superRefine((v, ctx) => {
    if (v.password !== v.password2) {
      ctx.addIssue({ code: "custom", path: ["password"], message: "Password fields didn't match." });
      return;
    }
    for (const message of passwordProblems(v.password, v.username))
      ctx.addIssue({ code: "custom", path: ["password"], message });
  });

export const loginSchema = z.object({
  username: z.string().min(1).max(150),
  password: z.string().min(1).max(128),
});

export const refreshSchema = z.object({ refresh: z.string().min(1).max(4096) });

/** `username` and `email` are read-only: they are dropped like any unknown field. */
export const profileSchema = z.object({
  first_name: z.string().trim().max(150).optional(),
  last_name: z.string().trim().max(150).optional(),
  phone_number: z.string().trim().max(20).optional(),
  address: z.string().trim().max(1000).optional(),
  city: z.string().trim().max(100).optional(),
  postal_code: z.string().trim().max(20).optional(),
  country: z.string().trim().max(100).optional(),
});

export type RegisterInput = z.infer<typeof registerSchema>;
export type ProfileInput = z.infer<typeof profileSchema>;
