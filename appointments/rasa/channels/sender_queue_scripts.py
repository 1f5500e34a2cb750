"""The Redis Lua scripts of the sender queue (sender_queue.py): each one reads and
writes a line's keys in one atomic step. KEYS/ARGV are named above each script."""

# Delete the key only if it still holds our token (someone else may own it by now).
RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"
RENEW = (
    "if redis.call('get', KEYS[1]) == ARGV[1] then "
    "return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0"
)
# KEYS lease queue working lines; ARGV token lease_ms keep_seconds sender.
# {0}: the lease is not ours; {1, item}: the oldest, now in working; {2}: line empty.
TAKE = """
if redis.call('get', KEYS[1]) ~= ARGV[1] then return {0} end
redis.call('pexpire', KEYS[1], ARGV[2])
local raw = redis.call('rpoplpush', KEYS[2], KEYS[3])
if raw then redis.call('expire', KEYS[3], ARGV[3]) return {1, raw} end
if redis.call('llen', KEYS[3]) == 0 then redis.call('srem', KEYS[4], ARGV[4]) end
return {2}
"""
# KEYS lease working; ARGV token item. 0: the lease is not ours, the item is left alone.
FINISH = (
    "if redis.call('get', KEYS[1]) == ARGV[1] then "
    "redis.call('lrem', KEYS[2], 1, ARGV[2]) return 1 end return 0"
)
# KEYS lease working queue; ARGV token keep_seconds n old_1..old_n new_1..new_m.
# Moves the working list (as read: old) to the front of the queue (as new) if the lease
# is ours (else 0) and the list did not change since (else -1).
RECOVER = """
if redis.call('get', KEYS[1]) ~= ARGV[1] then return 0 end
local n = tonumber(ARGV[3])
local now = redis.call('lrange', KEYS[2], 0, -1)
if #now ~= n then return -1 end
for i = 1, n do if now[i] ~= ARGV[3 + i] then return -1 end end
for i = 4 + n, #ARGV do redis.call('rpush', KEYS[3], ARGV[i]) end
redis.call('del', KEYS[2])
redis.call('expire', KEYS[3], ARGV[2])
return 1
"""
# KEYS sid queue lines; ARGV item dedup_seconds keep_seconds sender. The sid is marked
# last, so a failed enqueue leaves it unmarked for Twilio's retry.
PUSH_ONCE = """
if redis.call('exists', KEYS[1]) == 1 then return 0 end
redis.call('lpush', KEYS[2], ARGV[1])
redis.call('expire', KEYS[2], ARGV[3])
redis.call('sadd', KEYS[3], ARGV[4])
redis.call('set', KEYS[1], 1, 'EX', ARGV[2])
return 1
"""
# KEYS queue working lines; ARGV sender: forget a line only if it is really empty.
FORGET = (
    "if redis.call('llen', KEYS[1]) == 0 and redis.call('llen', KEYS[2]) == 0 then "
    "return redis.call('srem', KEYS[3], ARGV[1]) end return 0"
)
