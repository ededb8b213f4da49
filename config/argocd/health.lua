-- Argo CD health of a fota.thingspace.io FotaCampaign, read from the status the operator writes.
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

-- progress is the device progress of the campaign, e.g. "120/500 devices upgraded, 3 failed",
-- or nil before the device report was read.
local function progress(obj)
  local devices = obj.status and obj.status.devices
  if devices == nil then
    return nil
  end
  local text = (devices.succeeded or 0) .. "/" .. (devices.total or 0) .. " devices upgraded, " .. (devices.failed or 0) .. " failed"
  if (devices.rejected or 0) > 0 then
    text = text .. ", " .. devices.rejected .. " rejected"
  end
  return text
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

local function describe(c)
  return c.reason .. ": " .. (c.message or "")
end

-- Synced reasons that no retry will fix: a person has to change the spec, the Secret or the
-- other FotaCampaign.
local terminal = {
  TransitionNotAllowed = true,
  ThingSpaceRejected = true,
  CredentialsRejected = true,
  Conflict = true,
  CampaignNameUsed = true,
  ScheduleUnknown = true,
}

-- Ready reasons that are on their way to healthy by themselves.
local underway = {
  RequestPending = true,
}

local synced = condition(obj, "Synced")
local ready = condition(obj, "Ready")

if obj.metadata.deletionTimestamp ~= nil then
  if synced ~= nil and synced.status ~= "True" then
    return say("Progressing", "The FotaCampaign is being deleted; " .. describe(synced))
  end
  return say("Progressing", "The FotaCampaign is being deleted")
end

if obj.status == nil or obj.status.observedGeneration == nil then
  return say("Progressing", "Waiting for the controller to report on the campaign")
end

if obj.metadata.generation ~= nil and obj.status.observedGeneration < obj.metadata.generation then
  return say("Progressing", "Waiting for the controller to observe generation " .. obj.metadata.generation)
end

if obj.spec ~= nil and obj.spec.suspend == true then
  return say("Suspended", "spec.suspend is true: the operator makes no ThingSpace call")
end

if synced == nil then
  return say("Progressing", "Waiting for the controller to report on the campaign")
end

if synced.status ~= "True" then
  if terminal[synced.reason] then
    return say("Degraded", describe(synced))
  end
  return say("Progressing", describe(synced))
end

if ready ~= nil and ready.status == "True" then
  return say("Healthy", "ThingSpace holds the spec; the campaign is " .. (obj.status.phase or "synced"))
end

if obj.status.phase == "Ended" then
  return say("Healthy", "The campaign has ended")
end

if ready ~= nil and ready.status == "False" then
  if underway[ready.reason] then
    return say("Progressing", describe(ready))
  end
  return say("Degraded", describe(ready))
end

return say("Progressing", "Waiting for the controller to report readiness")
