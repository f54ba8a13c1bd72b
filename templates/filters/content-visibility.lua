--[[
Quarto's conditional content for the built-in renderer:
  ::: {.content-visible when-format="html"}   shown only in HTML
  ::: {.content-hidden when-format="html"}    shown everywhere but HTML
(also `unless-format`, and the same classes on spans). The PDF is written by Typst,
so it answers to "typst" and "pdf", as in Quarto.
]]

local formats = FORMAT:match('typst') and { typst = true, pdf = true } or { html = true, html5 = true }

local function matches(value)
  if value == nil then
    return nil
  end
  for name in value:gmatch('[^%s,]+') do
    if formats[name] then
      return true
    end
  end
  return false
end

local function visible(el)
  local when = matches(el.attributes['when-format'])
  local unless = matches(el.attributes['unless-format'])
  local shown = true
  if when ~= nil then
    shown = shown and when
  end
  if unless ~= nil then
    shown = shown and not unless
  end
  return shown
end

local function filter(el)
  if el.classes:includes('content-visible') then
    return visible(el) and el.content or {}
  elseif el.classes:includes('content-hidden') then
    -- content-hidden with when-format hides when the format matches.
    local when = matches(el.attributes['when-format'])
    local unless = matches(el.attributes['unless-format'])
    local hidden = true
    if when ~= nil then
      hidden = when
    end
    if unless ~= nil then
      hidden = hidden and not unless
    end
    return hidden and {} or el.content
  end
  return nil
end

Div = filter
Span = filter
