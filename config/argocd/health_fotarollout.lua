-- Argo CD health of a fota.thingspace.io FotaRollout, read from the status the operator writes.
hs = {}

local function condition(obj, type)
  if obj.status == nil or obj.status.conditions == nil then
    return nil
  end
  for _, c in ipairs(obj.status.conditions) do
    if c.type == type then
      return c
    end
  end
  return nil
end

-- progress is where the rollout stands, e.g. "wave 2/3, 9790/100000 devices upgraded, 150 failed",
-- or nil before the controller reported any.
local function progress(obj)
  local status = obj.status
  if status == nil then
    return nil
  end
  local parts = {}
  if status.waveText ~= nil then
    table.insert(parts, "wave " .. status.waveText)
  end
  local devices = status.devices
  if devices ~= nil then
    local fleet = status.fleetSize or devices.total or 0
    table.insert(parts, (devices.succeeded or 0) .. "/" .. fleet .. " devices upgraded, " .. (devices.failed or 0) .. " failed")
  end
  if #parts == 0 then
    return nil
  end
  return table.concat(parts, ", ")
end

local function say(status, message)
  hs.status = status
  local p = progress(obj)
  if p ~= nil then
    message = message .. " (" .. p .. ")"
  end
  hs.message = message
  return hs
end

-- Phases that wait for a person or for the clock: a change in Git (paused, approvedWaves) or the
-- next release window. Argo Rollouts reports a paused rollout the same way.
local waiting = {
  Paused = true,
  WaitingForApproval = true,
  WaitingForWindow = true,
}

-- Phases that no wait will fix: a new rollout, or a lower successPercent, has to follow.
local halted = {
  Failed = true,
  Aborted = true,
}

if obj.metadata.deletionTimestamp ~= nil then
  return say("Progressing", "The FotaRollout is being deleted")
end

if obj.status == nil or obj.status.observedGeneration == nil then
  return say("Progressing", "Waiting for the controller to report on the rollout")
end

if obj.metadata.generation ~= nil and obj.status.observedGeneration < obj.metadata.generation then
  return say("Progressing", "Waiting for the controller to observe generation " .. obj.metadata.generation)
end

local phase = obj.status.phase
local ready = condition(obj, "Ready")
local message = "The rollout is " .. (phase or "starting")
if ready ~= nil then
  message = ready.reason .. ": " .. (ready.message or "")
end

if phase == "Completed" then
  return say("Healthy", message)
end

if waiting[phase] then
  return say("Suspended", message)
end

if halted[phase] then
  return say("Degraded", message)
end

-- A fleet ConfigMap with an entry that is no device id needs a fix in Git; a missing one may come
-- in a later sync wave, so DevicesNotFound stays Progressing.
if ready ~= nil and ready.reason == "InvalidDevices" then
  return say("Degraded", message)
end

return say("Progressing", message)
