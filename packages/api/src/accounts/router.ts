import { rest } from '../openapi.js';
import { compiledOutput, protectedProcedure } from '../trpc.js';
import {
  accountIdInputSchema,
  accountsInputSchema,
  completeConnectInputSchema,
  completeConnectResultSchema,
  connectInputSchema,
  connectResultSchema,
  creatorInfoInputSchema,
  creatorInfoSchema,
  disconnectResultSchema,
  tiktokAccountSchema,
} from './schemas.js';
import { finishTikTokConnect, startTikTokConnect } from './connect.js';
import { disconnectAccount, listAccounts, queryCreatorInfo, resolveAccount, setDefaultAccount } from './service.js';

/** Connecting, listing and managing the TikTok accounts of the caller's instances. */
export const accountProcedures = {
  /** The caller's connected accounts (of one instance, or all), default first. Never tokens. */
  accounts: protectedProcedure
    .meta(rest('GET', '/tiktok/accounts', 'tiktok accounts', 'Connected TikTok accounts'))
    .input(accountsInputSchema)
    .output(compiledOutput(tiktokAccountSchema.array()))
    .query(({ ctx, input }) => listAccounts(ctx, ctx.session, input.instanceId)),

  /** Starts OAuth with TikTok: send the browser to `authorizeUrl`; the callback links the account. */
  connect: protectedProcedure
    .meta(rest('POST', '/tiktok/connect', 'tiktok accounts', 'Start connecting a TikTok account (OAuth)'))
    .input(connectInputSchema)
    .output(compiledOutput(connectResultSchema))
    .mutation(({ ctx, input }) => startTikTokConnect(ctx, ctx.session, input)),

  /**
   * Finishes connecting, from the app page TikTok's callback sends the browser to: only the user who started the
   * connect can finish it, so a connect link handed to someone else links nothing.
   */
  completeConnect: protectedProcedure
    .meta(rest('POST', '/tiktok/connect/complete', 'tiktok accounts', 'Finish connecting a TikTok account (after TikTok’s callback)'))
    .input(completeConnectInputSchema)
    .output(compiledOutput(completeConnectResultSchema))
    .mutation(({ ctx, input }) => finishTikTokConnect(ctx, ctx.session, input)),

  setDefaultAccount: protectedProcedure
    .meta(rest('POST', '/tiktok/accounts/{accountId}/default', 'tiktok accounts', 'Make an account its instance’s default'))
    .input(accountIdInputSchema)
    .output(compiledOutput(tiktokAccountSchema))
    .mutation(({ ctx, input }) => setDefaultAccount(ctx, ctx.session, input.accountId)),

  disconnect: protectedProcedure
    .meta(rest('DELETE', '/tiktok/accounts/{accountId}', 'tiktok accounts', 'Disconnect an account (revoke, wipe tokens, keep history)'))
    .input(accountIdInputSchema)
    .output(compiledOutput(disconnectResultSchema))
    .mutation(({ ctx, input }) => disconnectAccount(ctx, ctx.session, input.accountId)),

  /** What the creator may post right now (privacy options, interaction flags, max duration); the default account when none is named. */
  creatorInfo: protectedProcedure
    .meta(rest('GET', '/tiktok/creator-info', 'tiktok accounts', 'What the creator may post right now'))
    .input(creatorInfoInputSchema)
    .output(compiledOutput(creatorInfoSchema))
    .query(async ({ ctx, input }) => queryCreatorInfo(ctx, await resolveAccount(ctx, ctx.session, input))),
};
