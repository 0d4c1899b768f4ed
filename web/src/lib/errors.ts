// What the node's error codes and C12 rejection reasons mean, in words a trader understands.
// Codes come from docs/API.md ("Refusals"), crates/node/src/error.rs and the STF's RejectReason.

const MEANINGS: Record<string, string> = {
  // refusals (nothing sequenced, nothing consumed)
  bad_json: 'The request was not valid JSON',
  bad_request: 'The request was malformed',
  bad_hex: 'A field was not valid hex',
  bad_length: 'A field had the wrong length',
  bad_number: 'A number was out of range',
  bad_query: 'A query parameter was invalid',
  bad_path: 'The address or id in the URL was invalid',
  malformed_message: 'The message bytes are malformed',
  bad_signature: 'The signature does not match this account',
  unknown_market: 'No such market on this node',
  nonce_used: 'That nonce was already used — another order was sent from this account meanwhile; try again',
  nonce_gap: 'The nonce is ahead of the account — try again',
  nonce_overflow: 'This account has used every nonce of the market',
  node_failed: 'The node has stopped accepting orders',
  log_write_failed: 'The node could not write its log; try again later',
  log_unavailable: 'The node log is unavailable',
  storage_error: 'The node had a storage error',
  no_route: 'This node does not serve that endpoint',
  not_found: 'Not found',
  method_not_allowed: 'Method not allowed',
  payload_too_large: 'The request is too large',
  busy: 'The node is busy; try again',
  no_proof: 'No proof for this batch yet',
  network: 'Cannot reach the node',
  // funding (docs/API.md "Funding")
  no_l1: 'This node has no L1 bridge (it runs without --l1-rpc)',
  funding_disabled: 'Deposits and withdrawals are disabled on this venue',
  zero_amount: 'The amount must be above zero',
  zero_recipient: 'The recipient must not be the zero address',
  unknown_asset: 'This venue has no such asset',
  self_transfer: 'An account cannot transfer to itself',
  // C12 rejections (executed, nonce consumed)
  bad_side: 'Side must be buy or sell',
  bad_time_in_force: 'Time in force must be GTC or IOC',
  non_positive_tick: 'Price must be above zero',
  zero_quantity: 'Size must be above zero',
  quantity_not_lot_multiple: 'Size is not a whole number of lots',
  zero_order_id: 'Order id must not be zero',
  order_id_resting: 'An order with this id is already resting',
  insufficient_balance: 'Insufficient available balance for this order',
  order_not_resting: 'The order is no longer resting (filled or cancelled)',
  not_order_owner: 'That order belongs to another account',
  arithmetic_overflow: 'The order is too large (overflow)',
  max_balance_exceeded: 'The order would push a balance over the market maximum',
};

export function meaningOf(code: string): string {
  return MEANINGS[code] ?? code.replace(/_/g, ' ');
}

/** An error answer of the node ({"error": {code, message}}) or a network failure. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    readonly detail: string,
    readonly status: number,
  ) {
    super(`${meaningOf(code)} (${code}): ${detail}`);
  }
}

/** One line for the UI's error region: the meaning first, then the code and the node's words. */
export function describeError(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}
