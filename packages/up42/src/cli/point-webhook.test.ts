import { describe, expect, it } from 'vitest'
import { carryOver } from './point-webhook.ts'

describe('carryOver', () => {
  const current = 'https://relay:pw@old.ngrok-free.app/receive-webhooks?src=up42'

  it('keeps path, query and credentials when only a host is given', () => {
    expect(carryOver(current, 'https://new.ngrok-free.app')).toBe(
      'https://relay:pw@new.ngrok-free.app/receive-webhooks?src=up42'
    )
  })

  it('uses the root path when the new URL ends with a slash', () => {
    expect(carryOver(current, 'https://new.ngrok-free.app/')).toBe(
      'https://relay:pw@new.ngrok-free.app/'
    )
  })

  it('takes path and credentials of the new URL when it has them', () => {
    expect(carryOver(current, 'https://u:p@new.example/hooks')).toBe(
      'https://u:p@new.example/hooks'
    )
  })

  it('keeps nothing from a current URL without path or credentials', () => {
    expect(carryOver('https://old.example', 'https://new.example')).toBe('https://new.example/')
  })
})
