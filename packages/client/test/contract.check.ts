// Type-level proof that src/contract.generated.ts is the server's contract: `tsc --noEmit` fails on any line below
// when the API changes and the file was not regenerated (`pnpm --filter @reelpost/client generate`). Only this file
// (never src/) imports the server's types.
import type {
  AppErrorCode,
  AppRouter,
  FINAL_CONTRACT_STATUSES,
  PostStatusView,
  PostTargetInput,
  postInputSchema,
  WAITING_CONTRACT_STATUSES,
} from '@reelpost/api';
import type { TRPCClient } from '@trpc/client';
import type { inferRouterError, inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type {
  FinalPostState,
  PostInput,
  PostStatus,
  PostTarget,
  ReelpostErrorCode,
  ReelpostErrorShape,
  ReelpostRouter,
  WaitingPostState,
} from '../src/contract.generated.js';
import type { PostStatusReader } from '../src/wait-for-publish.js';

/** True only when A and B are the same type (optional vs required, readonly, literal types all count). */
type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function same<_T extends true>(): void {}

type Kinds<R> = {
  [K in keyof R]: R[K] extends { _def: { type: infer T; procedure: true } } ? T : Kinds<R[K]>;
};

// Every procedure, with the same input and output, of the same kind (query or mutation).
same<Equals<inferRouterInputs<ReelpostRouter>, inferRouterInputs<AppRouter>>>();
same<Equals<inferRouterOutputs<ReelpostRouter>, inferRouterOutputs<AppRouter>>>();
same<Equals<Kinds<ReelpostRouter['_def']['record']>, Kinds<AppRouter['_def']['record']>>>();
// The same error shape, and the codes the brief names: ERROR_CODES' keys plus what tRPC says on its own.
same<Equals<ReelpostErrorShape, inferRouterError<AppRouter>>>();
same<Equals<ReelpostErrorCode, AppErrorCode | 'NOT_FOUND' | 'METHOD_NOT_SUPPORTED' | 'PAYLOAD_TOO_LARGE'>>();
// The posting types are the schemas' (what the caller sends, what the server answers).
same<Equals<PostInput, (typeof postInputSchema)['_zod']['input']>>();
same<Equals<PostStatus, PostStatusView>>();
same<Equals<PostTarget, PostTargetInput>>();
same<Equals<FinalPostState, (typeof FINAL_CONTRACT_STATUSES)[number]>>();
same<Equals<WaitingPostState, (typeof WAITING_CONTRACT_STATUSES)[number]>>();

// The published client is the server's client, call for call, and what waitForPublish needs.
declare const published: TRPCClient<ReelpostRouter>;
declare const server: TRPCClient<AppRouter>;
export const fromServer: TRPCClient<ReelpostRouter> = server;
export const fromPublished: TRPCClient<AppRouter> = published;
export const reader: PostStatusReader = published;
