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

-- Reasons that no retry will fix: a person has to change the spec or the Secret.
local terminal = {
  TransitionNotAllowed = true,
  ThingSpaceRejected = true,
  CredentialsRejected = true,
}

if obj.metadata.deletionTimestamp ~= nil then
  hs.status = "Progressing"
  hs.message = "The FotaCampaign is being deleted"
  return hs
end

if obj.status == nil or obj.status.observedGeneration == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the controller to report on the campaign"
  return hs
end

if obj.metadata.generation ~= nil and obj.status.observedGeneration < obj.metadata.generation then
  hs.status = "Progressing"
  hs.message = "Waiting for the controller to observe generation " .. obj.metadata.generation
  return hs
end

if obj.spec ~= nil and obj.spec.suspend == true then
  hs.status = "Suspended"
  hs.message = "spec.suspend is true: the operator makes no ThingSpace call"
  return hs
end

local synced = condition(obj, "Synced")
local ready = condition(obj, "Ready")

if synced == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the controller to report on the campaign"
  return hs
end

if synced.status ~= "True" then
  if terminal[synced.reason] then
    hs.status = "Degraded"
  else
    hs.status = "Progressing"
  end
  hs.message = synced.reason .. ": " .. (synced.message or "")
  return hs
end

if ready ~= nil and ready.status == "True" then
  hs.status = "Healthy"
  hs.message = "ThingSpace holds the schedule; the campaign is " .. (obj.status.phase or "synced")
  return hs
end

if obj.status.phase == "Ended" then
  hs.status = "Healthy"
  hs.message = "The campaign has ended"
  return hs
end

if ready ~= nil and ready.status == "False" then
  hs.status = "Degraded"
  hs.message = ready.reason .. ": " .. (ready.message or "")
  return hs
end

hs.status = "Progressing"
hs.message = "Waiting for the controller to report readiness"
return hs
