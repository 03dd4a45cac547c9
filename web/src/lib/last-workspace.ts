/** The workspace a user last opened, so `/` brings them back to it. Per user, in this browser only. */
const key = (userId: string) => `sendops.lastWorkspace.${userId}`;

export const rememberWorkspace = (userId: string, slug: string) => localStorage.setItem(key(userId), slug);
export const lastWorkspace = (userId: string) => localStorage.getItem(key(userId));
export const forgetWorkspace = (userId: string) => localStorage.removeItem(key(userId));
