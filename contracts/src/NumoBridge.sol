// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {BitMaps} from "@openzeppelin/contracts/utils/structs/BitMaps.sol";
import {IEpochVerifier} from "./IEpochVerifier.sol";

/// @title NumoBridge
/// @notice Holds every token that backs a numo balance (docs/BRIDGE.md, docs/PROTOCOL.md §11).
///         Deposits and forced withdrawals are queued here with the F5 accumulators; settled
///         epochs (F13) move the state root and publish withdrawals roots (F10) that `claim` pays;
///         an unhonoured forced request lets anyone `freeze` the bridge, after which users `escape`
///         with an SMT proof of their balance (C4–C7) or `reclaimDeposit` unsettled deposits (F14).
contract NumoBridge is Ownable, ReentrancyGuard {
    using SafeERC20 for IERC20;
    using BitMaps for BitMaps.BitMap;

    // ---------------------------------------------------------------- events (docs/BRIDGE.md)

    event AssetRegistered(bytes32 indexed assetId, address indexed token);
    event Deposited(uint64 indexed index, bytes32 indexed assetId, address from, address to, uint256 amount, bytes32 acc);
    event ForcedWithdrawalRequested(
        uint64 indexed index, address indexed owner, bytes32 assetId, uint256 amount, uint64 deadline, bytes32 acc
    );
    event Settled(uint64 firstBatchSeq, uint64 lastBatchSeq, bytes32 newRoot, uint64 depositCount, uint64 forcedCount);
    event Claimed(uint64 indexed id, address indexed recipient, bytes32 assetId, uint256 amount);
    event Frozen(uint64 forcedIndex);
    event Escaped(address indexed owner, bytes32 indexed assetId, uint256 amount);
    event DepositReclaimed(uint64 indexed index, address indexed from, uint256 amount);

    // ---------------------------------------------------------------- errors

    error ZeroAddress();
    error ZeroAssetId();
    error AssetAlreadyRegistered(bytes32 assetId, address token);
    /// `token` has no registered asset id.
    error UnknownToken(address token);
    /// `assetId` has no registered token.
    error UnknownAsset(bytes32 assetId);
    error ZeroAmount();
    /// The bridge is frozen (F14): no deposits, forced requests or settlements.
    error BridgeFrozen();
    /// The bridge is not frozen: escape and reclaim are not available yet (F14).
    error NotFrozen();
    /// A count or index beyond the queue.
    error IndexOutOfRange(uint64 index);
    /// `settle` got an empty epoch (F13).
    error EmptyEpoch();
    /// The batch at `offset` has an unknown kind byte.
    error UnknownBatchKind(uint256 offset, uint8 kind);
    /// The batch at `offset` is cut short.
    error TruncatedBatch(uint256 offset);
    /// A batch's `batchSeq` is not the last settled + 1 (a skip or a repeat, F13).
    error BatchSeqGap(uint64 expected, uint64 got);
    /// A batch's `prevRoot` is not the current settled root (F13).
    error PrevRootMismatch(uint64 batchSeq, bytes32 expected, bytes32 got);
    /// A funding batch names another funding domain (F13, F1).
    error FundingDomainMismatch(uint64 batchSeq);
    /// A funding batch's deposit index before/after does not continue the settled queue position.
    error DepositIndexMismatch(uint64 batchSeq, uint64 expected, uint64 got);
    /// A funding batch consumed more deposits than were enqueued.
    error DepositIndexBeyondQueue(uint64 batchSeq, uint64 indexAfter, uint64 enqueued);
    /// A funding batch's deposit accumulator differs from the bridge's (F5), or a reclaimed record does.
    error DepositAccMismatch(uint64 index);
    /// Same as the deposit checks, for the forced queue.
    error ForcedIndexMismatch(uint64 batchSeq, uint64 expected, uint64 got);
    error ForcedIndexBeyondQueue(uint64 batchSeq, uint64 indexAfter, uint64 enqueued);
    error ForcedAccMismatch(uint64 index);
    /// The verifier returned false for the epoch.
    error EpochNotAuthorised();
    /// No withdrawals root is stored for `batchSeq` (unsettled, or a batch without withdrawals).
    error NoWithdrawalsRoot(uint64 batchSeq);
    /// A Merkle (F10) or SMT (C7) proof does not reach the stored root.
    error BadProof();
    error AlreadyClaimed(uint64 id);
    /// `freeze` before the oldest unsettled forced request's deadline.
    error DeadlineNotPassed(uint64 forcedIndex, uint64 deadline);
    /// `freeze` with no unsettled forced request.
    error NothingPending();
    /// `escape` got other than 256 siblings.
    error BadSiblingCount(uint256 count);
    error AlreadyEscaped(address owner, bytes32 assetId);
    /// `reclaimDeposit` of an index that was settled or never enqueued.
    error DepositNotReclaimable(uint64 index);
    error AlreadyReclaimed(uint64 index);

    // ---------------------------------------------------------------- constants

    uint256 private constant TRADING_PI_LEN = 272;
    uint256 private constant FUNDING_PI_LEN = 400;
    uint256 private constant EVM_PI_LEN = 225;
    /// `bytes32("NS_BAL")`: the namespace ASCII zero-padded to 32 bytes (C2).
    bytes32 private constant NS_BAL = "NS_BAL";
    uint256 private constant TREE_DEPTH = 256;

    // ---------------------------------------------------------------- state

    IEpochVerifier public immutable verifier;
    bytes32 public immutable fundingDomain;
    uint64 public immutable forcedWindow;

    bytes32 public stateRoot;

    uint64 public lastBatchSeq;
    uint64 public depositCount;
    uint64 public settledDepositCount;
    uint64 public forcedCount;

    uint64 public settledForcedCount;
    bool public frozen;

    mapping(bytes32 assetId => address) public tokenOf;
    mapping(address token => bytes32) public assetOf;

    /// acc after `count` deposits, for count ≥ 1 (count 0 is 0).
    mapping(uint64 count => bytes32) private _depositAcc;
    mapping(uint64 count => bytes32) private _forcedAcc;
    mapping(uint64 index => uint64) private _forcedDeadline;
    mapping(uint64 batchSeq => bytes32) private _withdrawalsRoot;
    BitMaps.BitMap private _claimed;
    BitMaps.BitMap private _reclaimed;
    /// Escaped balances, by their SMT key (C2: one per (owner, asset)).
    mapping(bytes32 balKey => bool) private _escaped;

    constructor(bytes32 genesisRoot, bytes32 fundingDomain_, IEpochVerifier verifier_, uint64 forcedWindow_, address owner)
        Ownable(owner)
    {
        if (address(verifier_) == address(0)) revert ZeroAddress();
        stateRoot = genesisRoot;
        fundingDomain = fundingDomain_;
        verifier = verifier_;
        forcedWindow = forcedWindow_;
    }

    modifier notFrozen() {
        if (frozen) revert BridgeFrozen();
        _;
    }

    modifier onlyFrozen() {
        if (!frozen) revert NotFrozen();
        _;
    }

    // ---------------------------------------------------------------- assets

    /// @notice Registers `token` as numo asset `assetId` (one token per asset and back). Owner only.
    function registerAsset(bytes32 assetId, address token) external onlyOwner {
        if (assetId == bytes32(0)) revert ZeroAssetId();
        if (token == address(0)) revert ZeroAddress();
        if (tokenOf[assetId] != address(0) || assetOf[token] != bytes32(0)) {
            revert AssetAlreadyRegistered(assetId, token);
        }
        tokenOf[assetId] = token;
        assetOf[token] = assetId;
        emit AssetRegistered(assetId, token);
    }

    // ---------------------------------------------------------------- queues (F5)

    /// @notice Pulls `amount` of `token` from the sender and enqueues a deposit record for `to` (F2, F5).
    /// @dev The record carries the measured balance increase (fee-on-transfer safe). The accumulator
    ///      after the record is kept: `depositAccAt(index + 1)`.
    function deposit(address token, uint256 amount, address to) external nonReentrant notFrozen returns (uint64 index) {
        bytes32 assetId = assetOf[token];
        if (assetId == bytes32(0)) revert UnknownToken(token);
        if (amount == 0) revert ZeroAmount();
        if (to == address(0)) revert ZeroAddress();
        IERC20 t = IERC20(token);
        uint256 before = t.balanceOf(address(this));
        t.safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = t.balanceOf(address(this)) - before;
        if (received == 0) revert ZeroAmount();

        index = depositCount;
        bytes32 acc = keccak256(abi.encodePacked(_depositAcc[index], index, assetId, msg.sender, to, received));
        _depositAcc[index + 1] = acc;
        depositCount = index + 1;
        emit Deposited(index, assetId, msg.sender, to, received, acc);
    }

    /// @notice Enqueues a forced withdrawal of `amount` of `assetId` for the sender (F2, F5, F14).
    /// @dev Deadline = now + `forcedWindow`; past it, an unsettled request lets anyone `freeze`.
    function requestForcedWithdrawal(bytes32 assetId, uint256 amount) external notFrozen returns (uint64 index) {
        if (tokenOf[assetId] == address(0)) revert UnknownAsset(assetId);
        if (amount == 0) revert ZeroAmount();
        index = forcedCount;
        bytes32 acc = keccak256(abi.encodePacked(_forcedAcc[index], index, msg.sender, assetId, amount));
        uint64 deadline = uint64(block.timestamp) + forcedWindow;
        _forcedAcc[index + 1] = acc;
        _forcedDeadline[index] = deadline;
        forcedCount = index + 1;
        emit ForcedWithdrawalRequested(index, msg.sender, assetId, amount, deadline, acc);
    }

    // ---------------------------------------------------------------- settlement (F13)

    /// @notice Settles a contiguous range of batches (F13). `epoch` = concatenation of
    ///         `U8 kind ‖ publicInputs` (kind 1: 272-byte trading PI, section B; kind 2: 400-byte
    ///         funding PI, F11; kind 3: 225-byte EVM PI, E10); `proof` is checked by the verifier
    ///         over the epoch digest.
    function settle(bytes calldata epoch, bytes calldata proof) external notFrozen {
        if (epoch.length == 0) revert EmptyEpoch();
        Progress memory g = Progress({
            root: stateRoot,
            seq: lastBatchSeq,
            depSettled: settledDepositCount,
            forSettled: settledForcedCount,
            depEnqueued: depositCount,
            forEnqueued: forcedCount
        });
        uint64 firstSeq = g.seq + 1;

        uint256 off = 0;
        while (off < epoch.length) {
            off = _applyBatch(epoch, off, g);
        }

        if (!verifier.verifyEpoch(epochDigest(epoch), epoch, proof)) revert EpochNotAuthorised();

        stateRoot = g.root;
        lastBatchSeq = g.seq;
        settledDepositCount = g.depSettled;
        settledForcedCount = g.forSettled;
        emit Settled(firstSeq, g.seq, g.root, g.depSettled, g.forSettled);
    }

    /// @dev The settled position while an epoch is walked (F13).
    struct Progress {
        bytes32 root;
        uint64 seq;
        uint64 depSettled;
        uint64 forSettled;
        uint64 depEnqueued;
        uint64 forEnqueued;
    }

    /// @dev Checks the batch at `off` against `g`, advances `g`, stores a funding batch's non-zero
    ///      withdrawals root, and returns the next batch's offset (F13).
    function _applyBatch(bytes calldata epoch, uint256 off, Progress memory g) private returns (uint256) {
        uint8 kind = uint8(epoch[off]);
        uint256 len;
        if (kind == 1) len = TRADING_PI_LEN;
        else if (kind == 2) len = FUNDING_PI_LEN;
        else if (kind == 3) len = EVM_PI_LEN;
        else revert UnknownBatchKind(off, kind);
        if (epoch.length - off - 1 < len) revert TruncatedBatch(off);
        uint256 p = off + 1;

        // Kinds 1 and 2 share a head: prevRoot ‖ newRoot ‖ batchDigest ‖ rulesHash ‖ domain ‖
        // U64 batchSeq ‖ ...; an EVM batch (kind 3, E10) starts U8 phase ‖ U64 chainId ‖ U64 height
        // ‖ U64 batchSeq ‖ prevRoot ‖ newRoot ‖ ... It moves no L1 funds: only its roots chain.
        (uint256 seqAt, uint256 rootAt) = kind == 3 ? (p + 17, p + 25) : (p + 160, p);
        uint64 batchSeq = _u64(epoch, seqAt);
        if (batchSeq != g.seq + 1) revert BatchSeqGap(g.seq + 1, batchSeq);
        bytes32 prevRoot = _word(epoch, rootAt);
        if (prevRoot != g.root) revert PrevRootMismatch(batchSeq, g.root, prevRoot);
        g.root = _word(epoch, rootAt + 32);
        g.seq = batchSeq;

        if (kind == 2) {
            // F11 after daCommitment (ends at p + 208): deposit before/after, forced before/after, withdrawalsRoot.
            if (_word(epoch, p + 128) != fundingDomain) revert FundingDomainMismatch(batchSeq);
            g.depSettled = _checkQueue(epoch, p + 208, batchSeq, g.depSettled, g.depEnqueued, true);
            g.forSettled = _checkQueue(epoch, p + 288, batchSeq, g.forSettled, g.forEnqueued, false);
            bytes32 wRoot = _word(epoch, p + 368);
            if (wRoot != bytes32(0)) _withdrawalsRoot[batchSeq] = wRoot;
        }
        return p + len;
    }

    /// @notice `keccak256("NUMO_EPOCH_V1" ‖ U256 chainid ‖ ADDR this ‖ keccak256(epoch))` (F13).
    function epochDigest(bytes calldata epoch) public view returns (bytes32) {
        return keccak256(abi.encodePacked("NUMO_EPOCH_V1", block.chainid, address(this), keccak256(epoch)));
    }

    /// @dev Checks `U64 indexBefore ‖ B32 accBefore ‖ U64 indexAfter ‖ B32 accAfter` at `pos` against the
    ///      queue (F13) and returns `indexAfter`.
    function _checkQueue(bytes calldata epoch, uint256 pos, uint64 batchSeq, uint64 settled, uint64 enqueued, bool isDeposit)
        private
        view
        returns (uint64 indexAfter)
    {
        uint64 indexBefore = _u64(epoch, pos);
        bytes32 accBefore = _word(epoch, pos + 8);
        indexAfter = _u64(epoch, pos + 40);
        bytes32 accAfter = _word(epoch, pos + 48);
        mapping(uint64 => bytes32) storage accs = isDeposit ? _depositAcc : _forcedAcc;
        if (indexBefore != settled) {
            if (isDeposit) revert DepositIndexMismatch(batchSeq, settled, indexBefore);
            revert ForcedIndexMismatch(batchSeq, settled, indexBefore);
        }
        if (accBefore != accs[settled]) {
            if (isDeposit) revert DepositAccMismatch(settled);
            revert ForcedAccMismatch(settled);
        }
        if (indexAfter < indexBefore) {
            if (isDeposit) revert DepositIndexMismatch(batchSeq, indexBefore, indexAfter);
            revert ForcedIndexMismatch(batchSeq, indexBefore, indexAfter);
        }
        if (indexAfter > enqueued) {
            if (isDeposit) revert DepositIndexBeyondQueue(batchSeq, indexAfter, enqueued);
            revert ForcedIndexBeyondQueue(batchSeq, indexAfter, enqueued);
        }
        if (accAfter != accs[indexAfter]) {
            if (isDeposit) revert DepositAccMismatch(indexAfter);
            revert ForcedAccMismatch(indexAfter);
        }
    }

    function _word(bytes calldata data, uint256 pos) private pure returns (bytes32 w) {
        assembly ("memory-safe") {
            w := calldataload(add(data.offset, pos))
        }
    }

    function _u64(bytes calldata data, uint256 pos) private pure returns (uint64) {
        return uint64(uint256(_word(data, pos)) >> 192);
    }

    // ---------------------------------------------------------------- claims (F10, F14)

    /// @notice Pays withdrawal record `(id, recipient, assetId, amount)` of settled batch `batchSeq`
    ///         once, to `recipient`; anyone may send it; works also when frozen (F10, F14).
    /// @dev leaf = keccak256(U64 id ‖ ADDR recipient ‖ B32 assetId ‖ U256 amount) (92 bytes), proof =
    ///      siblings bottom-up, OpenZeppelin commutative hashing (`MerkleProof.verifyCalldata`).
    function claim(
        uint64 batchSeq,
        uint64 id,
        address recipient,
        bytes32 assetId,
        uint256 amount,
        bytes32[] calldata proof
    ) external nonReentrant {
        bytes32 root = _withdrawalsRoot[batchSeq];
        if (root == bytes32(0)) revert NoWithdrawalsRoot(batchSeq);
        if (_claimed.get(id)) revert AlreadyClaimed(id);
        bytes32 leaf = keccak256(abi.encodePacked(id, recipient, assetId, amount));
        if (!MerkleProof.verifyCalldata(proof, root, leaf)) revert BadProof();
        address token = tokenOf[assetId];
        if (token == address(0)) revert UnknownAsset(assetId);
        _claimed.set(id);
        emit Claimed(id, recipient, assetId, amount);
        IERC20(token).safeTransfer(recipient, amount);
    }

    // ---------------------------------------------------------------- freeze and escape (F14)

    /// @notice Freezes the bridge once the oldest unsettled forced request is past its deadline (F14).
    function freeze() external notFrozen {
        uint64 index = settledForcedCount;
        if (index >= forcedCount) revert NothingPending();
        uint64 deadline = _forcedDeadline[index];
        if (block.timestamp <= deadline) revert DeadlineNotPassed(index, deadline);
        frozen = true;
        emit Frozen(index);
    }

    /// @notice After a freeze, pays `available + locked` of the BAL leaf `(owner, assetId)` proven
    ///         against the last settled root, to `owner`, once (F14; C2–C7).
    /// @dev key = keccak256(bytes32("NS_BAL") ‖ 0x1f ‖ owner ‖ assetId); leaf = keccak256(0x00 ‖ key ‖
    ///      keccak256(available ‖ locked)); `siblings[0]` is the leaf's sibling; at step i the path bit
    ///      is bit (255 − i) from the key's MSB (C6), i.e. bit i from its LSB: 0 = current node on the
    ///      left; node = keccak256(0x01 ‖ left ‖ right) (C4).
    function escape(address owner, bytes32 assetId, uint256 available, uint256 locked, bytes32[] calldata siblings)
        external
        nonReentrant
        onlyFrozen
    {
        if (siblings.length != TREE_DEPTH) revert BadSiblingCount(siblings.length);
        address token = tokenOf[assetId];
        if (token == address(0)) revert UnknownAsset(assetId);
        bytes32 key = keccak256(abi.encodePacked(NS_BAL, bytes1(0x1f), owner, assetId));
        if (_escaped[key]) revert AlreadyEscaped(owner, assetId);
        uint256 total = available + locked;
        if (total == 0) revert ZeroAmount();
        bytes32 valueHash = keccak256(abi.encodePacked(available, locked));
        bytes32 node = keccak256(abi.encodePacked(bytes1(0x00), key, valueHash));
        if (_smtRoot(key, node, siblings) != stateRoot) revert BadProof();
        _escaped[key] = true;
        emit Escaped(owner, assetId, total);
        IERC20(token).safeTransfer(owner, total);
    }

    /// @dev Lifts `leafHash` of `key` to the root with 256 leaf-first siblings (C6, C7).
    function _smtRoot(bytes32 key, bytes32 leafHash, bytes32[] calldata siblings) private pure returns (bytes32 node) {
        node = leafHash;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore8(ptr, 0x01)
            let k := key
            for { let i := 0 } lt(i, 256) { i := add(i, 1) } {
                let sib := calldataload(add(siblings.offset, shl(5, i)))
                switch and(shr(i, k), 1)
                case 0 {
                    mstore(add(ptr, 1), node)
                    mstore(add(ptr, 33), sib)
                }
                default {
                    mstore(add(ptr, 1), sib)
                    mstore(add(ptr, 33), node)
                }
                node := keccak256(ptr, 65)
            }
        }
    }

    /// @notice After a freeze, returns to `from` deposit `index` that the settled state had not
    ///         consumed (index ≥ settledDepositCount), once; the record is checked against F5.
    function reclaimDeposit(uint64 index, bytes32 assetId, address from, address to, uint256 amount)
        external
        nonReentrant
        onlyFrozen
    {
        if (index < settledDepositCount || index >= depositCount) revert DepositNotReclaimable(index);
        if (_reclaimed.get(index)) revert AlreadyReclaimed(index);
        bytes32 acc = keccak256(abi.encodePacked(_depositAcc[index], index, assetId, from, to, amount));
        if (acc != _depositAcc[index + 1]) revert DepositAccMismatch(index);
        address token = tokenOf[assetId];
        if (token == address(0)) revert UnknownAsset(assetId);
        _reclaimed.set(index);
        emit DepositReclaimed(index, from, amount);
        IERC20(token).safeTransfer(from, amount);
    }

    // ---------------------------------------------------------------- views

    /// @notice The deposit accumulator after `count` deposits (0 for count 0, F5).
    function depositAccAt(uint64 count) external view returns (bytes32) {
        if (count > depositCount) revert IndexOutOfRange(count);
        return _depositAcc[count];
    }

    /// @notice The forced accumulator after `count` forced requests (0 for count 0, F5).
    function forcedAccAt(uint64 count) external view returns (bytes32) {
        if (count > forcedCount) revert IndexOutOfRange(count);
        return _forcedAcc[count];
    }

    /// @notice The deadline of forced request `index` (its L1 time + `forcedWindow`).
    function forcedDeadline(uint64 index) external view returns (uint64) {
        if (index >= forcedCount) revert IndexOutOfRange(index);
        return _forcedDeadline[index];
    }

    /// @notice The withdrawals root of settled funding batch `batchSeq` (0 if none).
    function withdrawalsRoot(uint64 batchSeq) external view returns (bytes32) {
        return _withdrawalsRoot[batchSeq];
    }

    function isClaimed(uint64 id) external view returns (bool) {
        return _claimed.get(id);
    }

    /// @notice Whether `(owner, assetId)` has escaped.
    function isEscaped(address owner, bytes32 assetId) external view returns (bool) {
        return _escaped[keccak256(abi.encodePacked(NS_BAL, bytes1(0x1f), owner, assetId))];
    }

    function isReclaimed(uint64 index) external view returns (bool) {
        return _reclaimed.get(index);
    }
}
