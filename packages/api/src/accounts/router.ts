import { protectedProcedure } from '../trpc.js';
import {
  accountIdInputSchema,
  accountsInputSchema,
  connectInputSchema,
  connectResultSchema,
  creatorInfoInputSchema,
  creatorInfoSchema,
  disconnectResultSchema,
  tiktokAccountSchema,
} from './schemas.js';
import { startTikTokConnect } from './connect.js';
import { disconnectAccount, listAccounts, queryCreatorInfo, resolveAccount, setDefaultAccount } from './service.js';

/** Connecting, listing and managing the TikTok accounts of the caller's instances. */
export const accountProcedures = {
  /** The caller's connected accounts (of one instance, or all), default first. Never tokens. */
  accounts: protectedProcedure
    .meta({ openapi: { method: 'GET', path: '/tiktok/accounts', tags: ['tiktok accounts'], summary: 'Connected TikTok accounts' } })
    .input(accountsInputSchema)
    .output(tiktokAccountSchema.array())
    .query(({ ctx, input }) => listAccounts(ctx, ctx.session, input.instanceId)),

  /** Starts OAuth with TikTok: send the browser to `authorizeUrl`; the callback links the account. */
  connect: protectedProcedure
    .meta({ openapi: { method: 'POST', path: '/tiktok/connect', tags: ['tiktok accounts'], summary: 'Start connecting a TikTok account (OAuth)' } })
    .input(connectInputSchema)
    .output(connectResultSchema)
    .mutation(({ ctx, input }) => startTikTokConnect(ctx, ctx.session, input)),

  setDefaultAccount: protectedProcedure
    .meta({ openapi: { method: 'POST', path: '/tiktok/accounts/{accountId}/default', tags: ['tiktok accounts'], summary: 'Make an account its instance’s default' } })
    .input(accountIdInputSchema)
    .output(tiktokAccountSchema)
    .mutation(({ ctx, input }) => setDefaultAccount(ctx, ctx.session, input.accountId)),

  disconnect: protectedProcedure
    .meta({ openapi: { method: 'DELETE', path: '/tiktok/accounts/{accountId}', tags: ['tiktok accounts'], summary: 'Disconnect an account (revoke, wipe tokens, keep history)' } })
    .input(accountIdInputSchema)
    .output(disconnectResultSchema)
    .mutation(({ ctx, input }) => disconnectAccount(ctx, ctx.session, input.accountId)),

  /** What the creator may post right now (privacy options, interaction flags, max duration); the default account when none is named. */
  creatorInfo: protectedProcedure
    .meta({ openapi: { method: 'GET', path: '/tiktok/creator-info', tags: ['tiktok accounts'], summary: 'What the creator may post right now' } })
    .input(creatorInfoInputSchema)
    .output(creatorInfoSchema)
    .query(async ({ ctx, input }) => queryCreatorInfo(ctx, await resolveAccount(ctx, ctx.session, input))),
};
